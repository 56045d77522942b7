import { readFileSync } from 'node:fs';
import secureSession from '@fastify/secure-session';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { authHook } from './auth/authenticate';
import { browserSignIn } from './auth/browser-sign-in';
import { consoleRoutes } from './console/plugin';
import { hrIntakeRoutes } from './hr-intake/route';
import { batchRoutes } from './routes/batch';
import { notFound, problemSchema, sendProblem, toProblem } from './problems';
import { decisionRoutes } from './routes/decisions';
import { metaRoutes, signInRoute } from './routes/meta';
import { runRoutes } from './routes/runs';
import { startRoutes } from './routes/starts';
import { failsafeRoutes } from './routes/failsafe';
import { sweepRoutes } from './routes/sweep';
import { undoRoutes } from './routes/undo';
import { type Services } from './services';

/**
 * The offboarding API as a Fastify instance: JSON-lines logs without secrets, problem+json errors, the sealed
 * session cookie, the OpenAPI document built from the route schemas, authentication on every route that is not
 * public, and the routes. `extraRoutes` are registered in the same authenticated scope (the codec routes).
 */

export const SESSION_COOKIE = 'offboard_session';
/** The `service` field of every log line, and tracing's service name (config/telemetry.ts). */
export const SERVER_SERVICE = 'acs-offboarding-server';
/** A browser session lasts a working day; its access token is refreshed within it. */
const SESSION_SECONDS = 12 * 60 * 60;

/** Request lines in the log: no query string on the sign-in callback (it carries the authorization code). */
function requestForLog(request: FastifyRequest) {
  const url = request.url.startsWith('/callback') ? request.url.split('?')[0] : request.url;
  return { method: request.method, url, remoteAddress: request.ip };
}

/**
 * A request that started, joined or decided a run logs the run's ids (the request line itself has only its URL), so
 * that the API's log and the worker's meet on `workflowId` and `runId`.
 */
async function logRunAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (request.method !== 'POST' || reply.statusCode >= 300 || typeof payload !== 'string') return payload;
  if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload;
  let body: { workflowId?: unknown; runId?: unknown; stage?: unknown };
  try {
    body = JSON.parse(payload) as typeof body;
  } catch {
    return payload;
  }
  if (typeof body.workflowId === 'string' && typeof body.runId === 'string') {
    const stage = typeof body.stage === 'string' ? { stage: body.stage } : {};
    request.log.info({ workflowId: body.workflowId, runId: body.runId, ...stage }, 'run');
  }
  return payload;
}

export async function buildServer(
  services: Services,
  options: { logger?: boolean; extraRoutes?: Array<(app: FastifyInstance) => Promise<void>> } = {},
): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    ...(config.tls
      ? { https: { cert: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) } }
      : {}),
    bodyLimit: config.bodyLimit,
    logger:
      options.logger === false
        ? false
        : {
            level: process.env.OFFBOARD_LOG_LEVEL ?? 'info',
            // The worker's field names (worker/json-log.ts): ISO `time`, `level` by name, `service`.
            base: { service: SERVER_SERVICE, pid: process.pid },
            timestamp: () => `,"time":"${new Date().toISOString()}"`,
            formatters: { level: (label: string) => ({ level: label }) },
            serializers: { req: requestForLog },
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
              censor: '[redacted]',
            },
          },
    ajv: {
      // Unknown fields are refused (not silently dropped), no type is coerced, and each error carries its schema so
      // that the refusal can quote the field's rule.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, verbose: true },
    },
  });

  app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error, request), request.url));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, notFound(`no route ${request.method} ${request.url.split('?')[0]}`), request.url),
  );
  app.addSchema(problemSchema);

  await app.register(secureSession, {
    key: config.sessionKey,
    cookieName: SESSION_COOKIE,
    expiry: SESSION_SECONDS,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:') },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'acs-offboarding API',
        version: '1',
        description:
          'Start, follow and decide offboardings of Alibaba Cloud identities. Every refusal is application/problem+json (RFC 9457).',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'an access token from the IdP' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'the browser sign-in (/login)' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  app.addHook('onRequest', authHook(services.issuer));
  app.addHook('onClose', () => services.temporal.close());
  app.addHook('onSend', logRunAnswer);

  await app.register(metaRoutes);
  await app.register(signInRoute(config.oidc));
  await app.register(browserSignIn(services.issuer, config.publicUrl));
  await app.register(startRoutes(services));
  await app.register(batchRoutes(services));
  await app.register(runRoutes(services));
  await app.register(decisionRoutes(services));
  await app.register(sweepRoutes(services));
  await app.register(failsafeRoutes(services));
  await app.register(undoRoutes(services));
  await app.register(hrIntakeRoutes(services));
  await app.register(consoleRoutes(services));
  for (const routes of options.extraRoutes ?? []) await app.register(routes);
  return app;
}
