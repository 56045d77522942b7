import { join } from 'node:path';
import { z } from 'zod';
import { type TimingBounds } from '../common/timing';
import { readAlibabaSettings } from './alibaba';
import { MAX_SCHEDULE_GRANT_LIFETIME_SECONDS } from '../common/signed-token';
import { ConfigError, dataDirOf, duration, type Env, existingFile, hostPort, httpUrl, read } from './env';
import { type IdpSettings, type OidcSettings, readIdp, readOidc } from './oidc';
import { ensureLocalSecret } from './publish-once';
import { readTimingBounds } from './worker';
import { type HrIntakeConfig, readHrIntake } from './hr-intake';
import { readTemporalConfig, type TemporalConfig } from './temporal';
import { describeTelemetry, readTelemetry, type TelemetrySettings } from './telemetry';
import { type Ed25519Jwk, ensureLocalKeys, readJwks, readTokenIssuer } from './trust-keys';

/**
 * The offboarding API's whole configuration from the environment (`npm run server`), validated at start with one
 * message per bad variable naming it and its rule. Secrets (signing keys, the console's client secret, the session
 * key) are read here and never printed: `describeServerConfig` names only where they come from.
 */

export interface ServerConfig {
  listen: { host: string; port: number };
  /** Where people and the IdP reach the API (redirects, cookies' Secure flag). */
  publicUrl: string;
  mode: 'emulator' | 'live';
  /** The account whose runs `--user/--role` lookups and starts address. */
  accountId: string;
  workerIdentity: string;
  temporal: TemporalConfig;
  /** Private signing keys, newest first, and where they came from. */
  signing: { keys: Ed25519Jwk[]; keysPath: string; issuer: string };
  idp: IdpSettings;
  oidc: OidcSettings;
  /** Origin of the Temporal UI, allowed by CORS on the codec routes. */
  temporalUiOrigin?: string;
  /** Where the console links a run into the Temporal UI (`<url>/namespaces/<ns>/workflows/<id>`); none: no link. */
  temporalUiUrl?: string;
  /** HR systems that start offboardings by signed webhook. */
  hrIntake: HrIntakeConfig;
  /** The bounds on durations and dates of requests: the worker's (OFFBOARD_TIMING_BOUNDS), checked here first. */
  timing: TimingBounds;
  /** Serve https with this certificate and key (PEM paths); the Temporal UI sends people's tokens only over https. */
  tls?: { certPath: string; keyPath: string };
  bodyLimit: number;
  /**
   * The bulk intake's hold (server/temporal/intake-hold.ts): a bulk start waits while `inFlight` of the account's
   * offboardings are on their way to the approval, at most `maxWaitMs`. None: bulk starts are not held.
   */
  batchHold?: { inFlight: number; maxWaitMs: number };
  /**
   * How long the schedule grant an admin signs for the sweep schedule lives (OFFBOARD_SWEEP_GRANT_LIFETIME, default
   * 90 days): every update of the schedule re-signs it, so an update is also the renewal.
   */
  sweepGrantLifetimeSeconds: number;
  /** 32 bytes that seal the browser session cookie. */
  sessionKey: Buffer;
  sessionKeyPath: string;
  dataDir: string;
  /** Where spans are exported (OTEL_EXPORTER_OTLP_*, config/telemetry.ts); none: tracing off. */
  telemetry?: TelemetrySettings;
}

export const DEFAULT_BODY_LIMIT = 16 * 1024;

export function loadServerConfig(env: Env = process.env): ServerConfig {
  const problems: string[] = [];
  const dataDir = dataDirOf(env);
  const temporal = readTemporalConfig(env, problems);
  const alibaba = readAlibabaSettings(env, problems);
  const live = alibaba.mode === 'live';

  const listen = read(env, 'OFFBOARD_API_LISTEN', hostPort('API listener').default('127.0.0.1:8088'), problems);
  const [host, port] = listen ? splitHostPort(listen) : ['127.0.0.1', 8088];
  const publicUrl = read(
    env,
    'OFFBOARD_API_URL',
    httpUrl('the URL people reach the API at').default(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`),
    problems,
  );
  const signing = readSigning(env, live, dataDir, problems);
  const idp = readIdp(env, live, problems);
  const oidc = readOidc(env, idp, live, dataDir, problems);
  const temporalUiOrigin = read(
    env,
    'OFFBOARD_TEMPORAL_UI_ORIGIN',
    live
      ? httpUrl('the Temporal UI origin').optional()
      : httpUrl('the Temporal UI origin').default(`http://127.0.0.1:${env.TEMPORAL_UI_PORT || 8233}`),
    problems,
  );
  const bodyLimit = read(
    env,
    'OFFBOARD_API_BODY_LIMIT',
    z.coerce
      .number({ error: 'must be a number of bytes from 1024 to 1048576' })
      .int('must be a whole number of bytes')
      .min(1024, 'must be at least 1024 bytes')
      .max(1024 * 1024, 'must be at most 1048576 bytes (1 MiB)')
      .default(DEFAULT_BODY_LIMIT),
    problems,
  );
  const batchInFlight = read(
    env,
    'OFFBOARD_BATCH_IN_FLIGHT',
    z
      .string()
      .regex(/^(off|[1-9][0-9]{0,5})$/, 'must be "off" or a whole number of runs from 1 to 100000')
      .transform((v) => (v === 'off' ? undefined : Number(v)))
      .refine((n) => n === undefined || n <= 100_000, 'must be "off" or a whole number of runs from 1 to 100000')
      .optional(),
    problems,
  );
  const holdOff = !env.OFFBOARD_BATCH_IN_FLIGHT || env.OFFBOARD_BATCH_IN_FLIGHT === 'off';
  if (env.OFFBOARD_BATCH_HOLD_LIMIT && holdOff) {
    problems.push(
      'OFFBOARD_BATCH_HOLD_LIMIT: has no effect unless OFFBOARD_BATCH_IN_FLIGHT is set (bulk starts are not held)',
    );
  }
  const batchHoldLimit = read(
    env,
    'OFFBOARD_BATCH_HOLD_LIMIT',
    duration('2m').refine(
      (ms) => ms >= 1000 && ms <= 240_000,
      'must be from 1s to 4m (the longest a bulk request waits for room; the CLI waits 5 minutes for its answer)',
    ),
    problems,
  );
  const temporalUiUrl = read(
    env,
    'OFFBOARD_TEMPORAL_UI_URL',
    httpUrl("the Temporal UI, for the console's links to runs").optional(),
    problems,
  );
  const session = readSessionKey(env, dataDir, problems);
  const sweepGrantLifetime = read(
    env,
    'OFFBOARD_SWEEP_GRANT_LIFETIME',
    duration('90d').refine(
      (ms) => ms >= 86_400_000 && ms <= MAX_SCHEDULE_GRANT_LIFETIME_SECONDS * 1000,
      `must be from 1 day to ${MAX_SCHEDULE_GRANT_LIFETIME_SECONDS / 86_400} days (a schedule grant's longest life)`,
    ),
    problems,
  );
  const hrIntake = readHrIntake(env, dataDir, problems);
  const timing = readTimingBounds(env, live, problems);
  const certPath = read(env, 'OFFBOARD_API_TLS_CERT', existingFile('PEM certificate').optional(), problems);
  const keyPath = read(env, 'OFFBOARD_API_TLS_KEY', existingFile('PEM key').optional(), problems, false);
  if (Boolean(env.OFFBOARD_API_TLS_CERT) !== Boolean(env.OFFBOARD_API_TLS_KEY)) {
    problems.push('OFFBOARD_API_TLS_CERT and OFFBOARD_API_TLS_KEY: must be set together (https needs both)');
  }

  const telemetry = readTelemetry(env, 'acs-offboarding-server', problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(telemetry && { telemetry }),
    listen: { host, port },
    publicUrl: (publicUrl as string).replace(/\/+$/, ''),
    mode: alibaba.mode,
    accountId: alibaba.accountId,
    workerIdentity: alibaba.workerIdentity,
    temporal,
    signing: signing as ServerConfig['signing'],
    idp: idp as IdpSettings,
    oidc: oidc as OidcSettings,
    temporalUiOrigin: temporalUiOrigin?.replace(/\/+$/, ''),
    temporalUiUrl: (temporalUiUrl ?? temporalUiOrigin)?.replace(/\/+$/, ''),
    hrIntake: hrIntake as HrIntakeConfig,
    tls: certPath && keyPath ? { certPath, keyPath } : undefined,
    timing,
    bodyLimit: bodyLimit as number,
    ...(batchInFlight && { batchHold: { inFlight: batchInFlight, maxWaitMs: batchHoldLimit as number } }),
    sweepGrantLifetimeSeconds: Math.floor((sweepGrantLifetime as number) / 1000),
    sessionKey: (session as { key: Buffer }).key,
    sessionKeyPath: (session as { path: string }).path,
    dataDir,
  };
}

/** What the server prints at start: where things come from, never a secret. */
export function describeServerConfig(c: ServerConfig): string {
  return [
    `api ${c.publicUrl} (listening on ${c.listen.host}:${c.listen.port}) mode=${c.mode} account=${c.accountId}`,
    `temporal ${c.temporal.address} namespace=${c.temporal.namespace} taskQueue=${c.temporal.taskQueue}`,
    `signing keys=${c.signing.keys.map((k) => k.kid).join(',')} (${c.signing.keysPath}) issuer=${c.signing.issuer}`,
    `sweep schedule grants live ${c.sweepGrantLifetimeSeconds / 86_400} days (OFFBOARD_SWEEP_GRANT_LIFETIME)`,
    c.batchHold
      ? `bulk starts held while ${c.batchHold.inFlight} runs are on their way to approval (OFFBOARD_BATCH_IN_FLIGHT), a request at most ${c.batchHold.maxWaitMs / 1000} s (OFFBOARD_BATCH_HOLD_LIMIT)`
      : 'bulk starts not held (OFFBOARD_BATCH_IN_FLIGHT=off)',
    `console ${c.publicUrl}/console temporal-ui=${c.temporalUiUrl ?? 'none'} hr-integrations=${c.hrIntake.integrations.map((i) => `${i.name}(${i.secrets.length} secret${i.secrets.length === 1 ? '' : 's'})`).join(',') || 'none'}`,
    describeTelemetry(c.telemetry),
    `oidc issuer=${c.oidc.issuer} (${c.idp.mode}) audience=${c.oidc.audience} cli=${c.oidc.cliClientId} console=${c.oidc.webClientId}${c.oidc.webClientSecret ? '' : ' (browser sign-in off: no client secret)'} groups=${c.oidc.groupsClaim}`,
  ].join('\n');
}

function splitHostPort(value: string): [string, number] {
  const i = value.lastIndexOf(':');
  return [value.slice(0, i).replace(/^\[|\]$/g, ''), Number(value.slice(i + 1))];
}

/** OFFBOARD_SIGNING_KEYS (a JWKS with private keys) and OFFBOARD_TOKEN_ISSUER; emulator mode: the local keys. */
function readSigning(env: Env, live: boolean, dataDir: string, problems: string[]) {
  const issuer = readTokenIssuer(env, problems);
  const rule = z.string({ error: "is required in live mode: the JWKS file of the API's private signing keys" });
  const given = read(env, 'OFFBOARD_SIGNING_KEYS', live ? rule : rule.optional(), problems);
  if (issuer === undefined || (live && given === undefined)) return undefined;
  const keysPath = given ?? ensureLocalKeys(join(dataDir, 'keys')).signingKeysPath;
  try {
    return { keys: readJwks(keysPath, true), keysPath, issuer };
  } catch (err) {
    problems.push(`OFFBOARD_SIGNING_KEYS: ${(err as Error).message}`);
    return undefined;
  }
}

/** OFFBOARD_SESSION_KEY (32 bytes, base64) seals the browser session; made once per installation when unset. */
function readSessionKey(env: Env, dataDir: string, problems: string[]) {
  const given = read(
    env,
    'OFFBOARD_SESSION_KEY',
    z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)')
      .optional(),
    problems,
    false,
  );
  if (given) return { key: Buffer.from(given, 'base64'), path: 'OFFBOARD_SESSION_KEY' };
  const path = join(dataDir, 'session.key');
  return { key: ensureLocalSecret(path, 32), path };
}
