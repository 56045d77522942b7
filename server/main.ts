/**
 * The offboarding API: `npm run server`. Reads and validates its configuration, starts the embedded identity provider
 * when configured (the emulator mode's default), and serves the API; SIGINT/SIGTERM stop it gracefully (requests in
 * flight finish, then the Temporal connection and the provider close). Logs are JSON lines on stdout.
 */
import { ConfigError } from '../config/env';
import { startTracing } from '../config/telemetry';
import { describeServerConfig, loadServerConfig } from '../config/server';
import { buildServer, SERVER_SERVICE } from './app';
import { codecRoutes } from './codec-routes';
import { unauthenticated } from './problems';
import { Issuer } from './auth/issuer';
import { type EmbeddedIdp, startEmbeddedIdp } from './idp/provider';
import { createTokenSigner } from './signer';
import { TemporalGateway } from './temporal/connection';

async function main(): Promise<void> {
  const config = loadServerConfig();
  announce('starting', { config: describeServerConfig(config).split('\n') });
  let idp: EmbeddedIdp | undefined;
  if (config.idp.mode === 'embedded') {
    idp = await startEmbeddedIdp({
      mode: config.mode,
      port: config.idp.port,
      dataDir: config.dataDir,
      audience: config.oidc.audience,
      cliClientId: config.oidc.cliClientId,
      webClientId: config.oidc.webClientId,
      webClientSecret: config.oidc.webClientSecret as string,
      apiUrl: config.publicUrl,
    });
    announce(`embedded identity provider at ${idp.issuer}`, { passwords: `${config.dataDir}/idp-users.json` });
  }
  const tracing = config.telemetry ? startTracing(config.telemetry) : undefined;
  const app = await buildServer(
    {
      config,
      temporal: new TemporalGateway(config.temporal, tracing),
      signer: await createTokenSigner(config.signing.keys, config.signing.issuer),
      issuer: new Issuer(config.oidc),
    },
    {
      // The Temporal UI's codec endpoint, behind the same sign-in (bearer token or session cookie).
      extraRoutes: [
        async (app) => {
          await app.register(codecRoutes, {
            prefix: '/codec',
            payloadKeys: config.temporal.payloadKeys,
            namespace: config.temporal.namespace,
            uiOrigin: config.temporalUiOrigin,
            authenticate: async (request) => request.person ?? unauthenticated('sign in first').body(request.url),
          });
        },
      ],
    },
  );
  if (idp) app.addHook('onClose', () => idp.close());
  // Last: the spans of the last requests are flushed once the server has stopped.
  if (tracing) app.addHook('onClose', () => tracing.shutdown());

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'stopping');
      app.close().then(
        () => process.exit(0),
        (err: unknown) => {
          app.log.error({ err }, 'stopping failed');
          process.exit(1);
        },
      );
    });
  }
  await app.listen({ host: config.listen.host, port: config.listen.port });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`[server] ${err.message}`);
    process.exit(2);
  }
  announce('fatal', { error: err instanceof Error ? { type: err.name, message: err.message } : String(err) }, 'error');
  process.exit(1);
});

/**
 * The lines before (and after) the API's own logger: on stderr, whatever OFFBOARD_LOG_LEVEL says (they say where the
 * server is), as JSON lines with the log's field names (server/app.ts), so that a collector reads one format.
 */
function announce(msg: string, fields: Record<string, unknown> = {}, level: 'info' | 'error' = 'info'): void {
  const line = { time: new Date().toISOString(), level, service: SERVER_SERVICE, pid: process.pid, msg, ...fields };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}
