import { join, resolve } from 'node:path';
import { z } from 'zod';
import { FAILSAFE_RULE, type FailsafeSetting, parseFailsafeSetting } from '../common/deletion-failsafe';
import { type TrustedKey } from '../common/signed-token';
import { type RecycleBinPurgePolicy } from '../common/undo';
import { describeDuration, FAST_TIMING, PRODUCTION_TIMING, type TimingBounds } from '../common/timing';
import { describeRateLimits, parseRateLimits, type RateLimits } from '../activities/rate-limit';
import { type AlibabaSettings, readAlibabaSettings } from './alibaba';
import { ConfigError, dataDirOf, duration, type Env, existingFile, read } from './env';
import { readAuditSigningKey } from './audit-keys';
import { readWorkerDeployment, type WorkerDeployment } from './deployment';
import { type Ed25519Jwk, ensureLocalKeys, readJwks, readTokenIssuer, trustedKeysOf } from './trust-keys';
import { readTemporalConfig, type TemporalConfig } from './temporal';
import { describeTelemetry, readTelemetry, type TelemetrySettings } from './telemetry';

/**
 * The worker's whole configuration from the environment, validated at start with one message per bad variable naming
 * it and its rule.
 */

export interface WorkerConfig {
  temporal: TemporalConfig;
  alibaba: AlibabaSettings;
  /** Whose signatures the runs accept: the offboarding API's public keys and its issuer name. */
  trust: { issuer: string; keys: TrustedKey[]; keysPath: string };
  auditDir: string;
  /** The key that signs each run's audit chain head (activities/audit-chain.ts); none: the chain is unsigned. */
  auditKey?: Ed25519Jwk;
  auditKeyPath?: string;
  notifyWebhook?: string;
  /** The web console's base URL: notifications link to the run's page there. None: no links. */
  consoleUrl?: string;
  recentUseWindowMs: number;
  /** Bounds on the durations and dates of run inputs (common/timing.ts). */
  timing: TimingBounds;
  /** What happens to a deleted user in RAM's recycle bin (OFFBOARD_RECYCLE_BIN_PURGE). */
  recycleBinPurge: RecycleBinPurgePolicy;
  /** The blast-radius failsafe: at most N deletions per window on the account, then a second admin (OFFBOARD_DELETION_FAILSAFE). */
  deletionFailsafe: FailsafeSetting;
  workflowBundlePath?: string;
  shutdownGraceMs: number;
  // Quotas, back-pressure and metrics (issue 12): see readScaleSettings.
  /** Calls per second per Alibaba operation (OFFBOARD_ALIBABA_RATE_LIMITS over the documented quotas), or `off`. */
  rateLimits: RateLimits;
  /** Temporal's server-side limit of activity starts per second on the task queue, all workers together; none: off. */
  taskQueueActivitiesPerSecond?: number;
  /** Where the product's metrics are served (`/metrics`), and how often the stage gauges are read; none: off. */
  metrics?: { host: string; port: number; stageIntervalMs: number };
  /** Where the Temporal SDK's Prometheus exporter listens; none: off. */
  sdkMetrics?: { host: string; port: number };
  /** Worker Versioning's deployment name and build id (config/deployment.ts); none: an unversioned worker. */
  deployment?: WorkerDeployment;
  /**
   * How many runs the worker keeps in memory between their tasks. Runs that wait days for an approval need not stay:
   * one leaving the cache is replayed from its history at its next task (README: Sizing the worker).
   */
  workflowCacheSize?: number;
  /** Where spans are exported (the standard OTEL_EXPORTER_OTLP_* variables, config/telemetry.ts); none: tracing off. */
  telemetry?: TelemetrySettings;
  /** The log level of the worker's JSON lines (OFFBOARD_LOG_LEVEL, pino's names as the API's). */
  logLevel: WorkerLogLevel;
}

export type WorkerLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const problems: string[] = [];
  const temporal = readTemporalConfig(env, problems);
  const alibaba = readAlibabaSettings(env, problems);
  const live = alibaba.mode === 'live';
  const trust = readTrust(env, live, problems);
  // Under the data dir by default, with the installation's other state (`npm start -- --reset` clears it there).
  const auditDir = read(
    env,
    'OFFBOARD_AUDIT_DIR',
    z
      .string()
      .min(1)
      .default(join(dataDirOf(env), 'audit')),
    problems,
  );
  const audit = readAuditSigningKey(env, live, problems);
  const notifyWebhook = read(
    env,
    'OFFBOARD_NOTIFY_WEBHOOK',
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    problems,
  );
  // The console is served by the API: its URL is the API's unless said otherwise; the local default in emulator mode.
  const consoleUrl = read(
    env,
    'OFFBOARD_CONSOLE_URL',
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL: the web console, for links in notifications' })
      .optional(),
    problems,
  );
  const apiUrl = env.OFFBOARD_API_URL || (live ? undefined : 'http://127.0.0.1:8088');
  const recentUseWindowMs = read(env, 'OFFBOARD_RECENT_USE_WINDOW', duration('7d'), problems);
  const shutdownGraceMs = read(env, 'OFFBOARD_SHUTDOWN_GRACE', duration('10s'), problems);
  const timing = readTimingBounds(env, live, problems);
  const recycleBinPurge = readRecycleBinPurge(env, timing === FAST_TIMING, problems);
  const deletionFailsafe = readDeletionFailsafe(env, problems);
  const workflowBundlePath = read(
    env,
    'OFFBOARD_WORKFLOW_BUNDLE',
    existingFile('prebuilt workflow bundle (.js)').optional(),
    problems,
  );
  const scale = readScaleSettings(env, problems);

  const deployment = readWorkerDeployment(env, problems);
  const workflowCacheSize = read(
    env,
    'OFFBOARD_WORKFLOW_CACHE_SIZE',
    z.coerce
      .number({ error: 'must be a whole number of runs from 0 to 100000' })
      .int({ error: 'must be a whole number of runs from 0 to 100000' })
      .min(0, { error: 'must be a whole number of runs from 0 to 100000' })
      .max(100_000, { error: 'must be a whole number of runs from 0 to 100000' })
      .optional(),
    problems,
  );

  const telemetry = readTelemetry(env, 'acs-offboarding-worker', problems);
  const logLevel = read(
    env,
    'OFFBOARD_LOG_LEVEL',
    z
      .enum(['trace', 'debug', 'info', 'warn', 'error'], { error: 'must be trace, debug, info, warn or error' })
      .default('info'),
    problems,
  ) as WorkerLogLevel;

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(deployment && { deployment }),
    ...(telemetry && { telemetry }),
    logLevel,
    ...(workflowCacheSize !== undefined && { workflowCacheSize }),
    temporal,
    alibaba,
    trust: trust as WorkerConfig['trust'],
    auditDir: resolve(auditDir as string),
    auditKey: audit.key,
    auditKeyPath: audit.path,
    notifyWebhook,
    consoleUrl: (consoleUrl ?? apiUrl)?.replace(/\/+$/, ''),
    recentUseWindowMs: recentUseWindowMs as number,
    timing,
    recycleBinPurge,
    deletionFailsafe,
    workflowBundlePath,
    shutdownGraceMs: shutdownGraceMs as number,
    ...scale,
  };
}

/** What the worker prints at start: no secrets, and says where the credentials come from. */
export function describeConfig(config: WorkerConfig): string {
  const a = config.alibaba;
  return [
    `temporal ${config.temporal.address} namespace=${config.temporal.namespace} taskQueue=${config.temporal.taskQueue}${config.temporal.apiKey ? ' apiKey=set' : ''}${config.temporal.tls ? ' tls=on' : ''}`,
    `alibaba mode=${a.mode} cs=${a.csEndpoint ?? 'default'} ram=${a.ramEndpoint ?? 'default'} sts=${a.stsEndpoint ?? 'default'} region=${a.region} account=${a.accountId} worker=${a.workerIdentity}`,
    `credentials: ${a.fixtureKey ? `demo fixture key ${a.fixtureKey.accessKeyId} of ${a.workerIdentity} (emulator mode, ALIBABA_CLOUD_ACCESS_KEY_ID unset)` : 'default credential chain of @alicloud/credentials'}`,
    `trusted keys=${config.trust.keys.map((k) => k.kid).join(',')} (${config.trust.keysPath}) issuer=${config.trust.issuer} audit=${config.auditDir} notify=${config.notifyWebhook ? 'webhook' : 'console'} links=${config.consoleUrl ?? 'none'}`,
    `payload keys current=${config.temporal.payloadKeys.current} decrypts=${config.temporal.payloadKeys.keyIds.join(',')} (${config.temporal.payloadKeys.source})`,
    `audit chain ${config.auditKey ? `signed with ${config.auditKey.kid} (${config.auditKeyPath})` : 'unsigned: set OFFBOARD_AUDIT_SIGNING_KEYS'}`,
    `alibaba rate limits (calls/s per operation): ${describeRateLimits(config.rateLimits)}${config.taskQueueActivitiesPerSecond ? `; task queue activities/s: ${config.taskQueueActivitiesPerSecond}` : ''}`,
    `metrics: ${config.metrics ? `http://${config.metrics.host}:${config.metrics.port}/metrics` : 'off'}, sdk metrics: ${config.sdkMetrics ? `${config.sdkMetrics.host}:${config.sdkMetrics.port}` : 'off'}`,
    `recycle bin: ${config.recycleBinPurge.kind === 'keep' ? 'keep (RAM purges at its DeleteDate)' : `purge ${config.recycleBinPurge.text} after deletion`}`,
    `deletion failsafe: ${config.deletionFailsafe === 'off' ? 'off' : `${config.deletionFailsafe.limit} deletions per ${describeDuration(config.deletionFailsafe.windowMs)} on the account, then a second admin confirms`}`,
    `timing bounds: reminders ${describeDuration(config.timing.reminderMinMs)}–${describeDuration(config.timing.reminderMaxMs)}, approval window ${describeDuration(config.timing.expiryMinMs)}–${describeDuration(config.timing.expiryMaxMs)}`,
    `workflow cache: ${config.workflowCacheSize ?? "the SDK's default (sized from the heap)"} runs`,
    `${describeTelemetry(config.telemetry)}; log level ${config.logLevel}`,
    `versioning: ${config.deployment ? `deployment ${config.deployment.deploymentName}, build ${config.deployment.buildId} (runs pinned to their build)` : 'off (an unversioned worker: workflow changes need patched())'}`,
  ].join('\n');
}

/**
 * The bounds a worker configured by `env` applies to run inputs: what the API and the CLI check a request against
 * before they start a run (StartOptions.timing), so that they refuse what the worker would.
 */
export function loadTimingBounds(env: Env = process.env): TimingBounds {
  const problems: string[] = [];
  const live = env.OFFBOARD_ALIBABA_MODE === 'live';
  const timing = readTimingBounds(env, live, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return timing;
}

/**
 * OFFBOARD_TIMING_BOUNDS: `production` (default: reminders and approval windows of at least an hour), or `fast` for
 * tests and demos (down to a second), which live mode refuses: a production worker never accepts a flood of reminders.
 */
export function readTimingBounds(env: Env, live: boolean, problems: string[]): TimingBounds {
  const choice = read(
    env,
    'OFFBOARD_TIMING_BOUNDS',
    z.enum(['production', 'fast'], { error: 'must be "production" (default) or "fast"' }).default('production'),
    problems,
  );
  if (choice === 'fast' && live) {
    problems.push(
      'OFFBOARD_TIMING_BOUNDS: "fast" is for tests and demos against the emulator; live mode uses production',
    );
  }
  return choice === 'fast' && !live ? FAST_TIMING : PRODUCTION_TIMING;
}

const DAY_MS = 86_400_000;
const MAX_PURGE_DAYS = 3650;

/**
 * OFFBOARD_RECYCLE_BIN_PURGE: `keep` (default: RAM purges a deleted user at its own DeleteDate, and until then an
 * admin can restore it, which the undo does with four eyes), or `after:<N>d` (N 1–3650): N days after a user went into
 * the bin, a durable purge removes it and its keys, so nobody can restore an offboarded identity by hand. With the
 * fast test bounds (emulator only) `after:<N>s` is accepted too, so that tests wait seconds.
 */
export function readRecycleBinPurge(env: Env, fast: boolean, problems: string[]): RecycleBinPurgePolicy {
  const given = (env.OFFBOARD_RECYCLE_BIN_PURGE ?? '').trim();
  if (given === '' || given === 'keep') return { kind: 'keep' };
  const m = /^after:([1-9][0-9]{0,4})([ds])$/.exec(given);
  const n = m ? Number(m[1]) : NaN;
  if (m && m[2] === 'd' && n <= MAX_PURGE_DAYS) return { kind: 'after', afterMs: n * DAY_MS, text: given };
  if (m && m[2] === 's' && fast) return { kind: 'after', afterMs: n * 1_000, text: given };
  problems.push(
    `OFFBOARD_RECYCLE_BIN_PURGE: must be "keep" (default) or "after:<N>d" with N from 1 to ${MAX_PURGE_DAYS} (days after the user went into RAM's recycle bin)${fast ? ', or "after:<N>s" (seconds; fast test bounds only)' : ''}`,
  );
  return { kind: 'keep' };
}

/**
 * OFFBOARD_DELETION_FAILSAFE: `<N>/<window>` (default 20/1h): more than N deletions on the account within the window
 * pause further deletions until a second admin confirms (common/deletion-failsafe.ts); `off` turns it off.
 */
export function readDeletionFailsafe(env: Env, problems: string[]): FailsafeSetting {
  const setting = parseFailsafeSetting(env.OFFBOARD_DELETION_FAILSAFE);
  if (setting !== undefined) return setting;
  problems.push(`OFFBOARD_DELETION_FAILSAFE: ${FAILSAFE_RULE}`);
  return 'off';
}

/**
 * OFFBOARD_TRUSTED_KEYS (a JWKS file of the API's public keys) and OFFBOARD_TOKEN_ISSUER. Required in live mode; in
 * emulator mode the local installation's keys are used (made once under OFFBOARD_DATA_DIR/keys).
 */
function readTrust(env: Env, live: boolean, problems: string[]): WorkerConfig['trust'] | undefined {
  const issuer = readTokenIssuer(env, problems);
  const keysRule = z.string({
    error: "is required in live mode: the JWKS file of the offboarding API's public signing keys",
  });
  const given = read(env, 'OFFBOARD_TRUSTED_KEYS', live ? keysRule : keysRule.optional(), problems);
  if (issuer === undefined || (live && given === undefined)) return undefined;
  const keysPath = given ?? ensureLocalKeys(join(dataDirOf(env), 'keys')).trustedKeysPath;
  try {
    return { issuer, keys: trustedKeysOf(readJwks(keysPath, false)), keysPath };
  } catch (err) {
    problems.push(`OFFBOARD_TRUSTED_KEYS: ${(err as Error).message}`);
    return undefined;
  }
}

// Quotas, back-pressure and metrics (issue 12).

type ScaleSettings = Pick<WorkerConfig, 'rateLimits' | 'taskQueueActivitiesPerSecond' | 'metrics' | 'sdkMetrics'>;

const port = (what: string) =>
  z
    .string()
    .regex(/^\d{1,5}$/, `must be a TCP port (1-65535) for ${what}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, `must be a TCP port (1-65535) for ${what}`)
    .optional();

/**
 * OFFBOARD_ALIBABA_RATE_LIMITS (`ram-write=20,cs=50,DeleteUser=5` over the documented quotas, or `off`),
 * OFFBOARD_TASK_QUEUE_ACTIVITIES_PER_SECOND (Temporal's limit across all workers of the queue), OFFBOARD_METRICS_PORT
 * and OFFBOARD_SDK_METRICS_PORT (off when unset) on OFFBOARD_METRICS_HOST (loopback unless said otherwise), and
 * OFFBOARD_METRICS_STAGE_INTERVAL (how often the stage gauges ask Temporal's visibility; 30s).
 */
export function readScaleSettings(env: Env, problems: string[]): ScaleSettings {
  let rateLimits: RateLimits = {};
  const given = env.OFFBOARD_ALIBABA_RATE_LIMITS?.trim();
  if (given) {
    const parsed = parseRateLimits(given);
    if ('problems' in parsed) problems.push(...parsed.problems.map((p) => `OFFBOARD_ALIBABA_RATE_LIMITS: ${p}`));
    else rateLimits = parsed.limits;
  }
  const taskQueueActivitiesPerSecond = read(
    env,
    'OFFBOARD_TASK_QUEUE_ACTIVITIES_PER_SECOND',
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a number of activity starts per second above 0')
      .transform(Number)
      .refine((n) => n > 0, 'must be a number of activity starts per second above 0')
      .optional(),
    problems,
  );
  const host = read(
    env,
    'OFFBOARD_METRICS_HOST',
    z
      .string()
      .regex(/^[A-Za-z0-9.\-:]+$/, 'must be a host name or IP address to listen on')
      .default('127.0.0.1'),
    problems,
  ) as string;
  const metricsPort = read(env, 'OFFBOARD_METRICS_PORT', port("the product's /metrics"), problems);
  const sdkPort = read(env, 'OFFBOARD_SDK_METRICS_PORT', port("the Temporal SDK's Prometheus exporter"), problems);
  const stageIntervalMs = read(env, 'OFFBOARD_METRICS_STAGE_INTERVAL', duration('30s'), problems) as number;
  if (metricsPort !== undefined && metricsPort === sdkPort) {
    problems.push('OFFBOARD_SDK_METRICS_PORT: must differ from OFFBOARD_METRICS_PORT (two exporters, two ports)');
  }
  return {
    rateLimits,
    taskQueueActivitiesPerSecond,
    metrics: metricsPort !== undefined ? { host, port: metricsPort, stageIntervalMs } : undefined,
    sdkMetrics: sdkPort !== undefined ? { host, port: sdkPort } : undefined,
  };
}
