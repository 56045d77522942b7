import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isValidAccountId, isValidActor, parseDurationMs } from '../common/validation';

/**
 * Configuration from the environment, validated at start with one message per bad variable naming it and its rule.
 * The Temporal part (`loadTemporalConfig`, `temporalConnectionOptions`) is shared with the CLI.
 */

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads one variable through a zod schema; a failure becomes "VAR: rule (got "value")". */
function read<T>(env: Env, name: string, schema: z.ZodType<T>, problems: string[], showValue = true): T | undefined {
  const raw = env[name] === '' ? undefined : env[name];
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const rule = parsed.error.issues[0]?.message ?? 'invalid';
  problems.push(`${name}: ${rule}${showValue && raw !== undefined ? ` (got "${raw}")` : ''}`);
  return undefined;
}

const hostPort = (what: string) =>
  z
    .string({ error: `must be host:port of the ${what}` })
    .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, `must be host:port of the ${what}, e.g. 127.0.0.1:7233`);
const nonEmpty = (rule: string) => z.string({ error: rule }).min(1, rule);
const existingFile = (what: string) =>
  z.string().refine((p) => existsSync(p), `must be the path of an existing ${what} file`);
const duration = (dflt: string) =>
  z
    .string()
    .default(dflt)
    .refine((v) => parseDurationMs(v) !== undefined, 'must be a duration like "500ms", "30s", "10m", "24h" or "7d"')
    .transform((v) => parseDurationMs(v) as number);

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: { certPath?: string; keyPath?: string; caPath?: string };
}

/** The Temporal connection settings; throws a ConfigError naming every bad variable. */
export function loadTemporalConfig(env: Env = process.env): TemporalConfig {
  const problems: string[] = [];
  const config = readTemporalConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function readTemporalConfig(env: Env, problems: string[]): TemporalConfig {
  const address = read(env, 'TEMPORAL_ADDRESS', hostPort('Temporal frontend').default('127.0.0.1:7233'), problems);
  const namespace = read(
    env,
    'TEMPORAL_NAMESPACE',
    nonEmpty('must be a namespace name')
      .regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be 1-255 letters, digits, ".", "_" or "-"')
      .default('default'),
    problems,
  );
  const taskQueue = read(
    env,
    'TEMPORAL_TASK_QUEUE',
    nonEmpty('must be a task queue name').max(1000, 'must be at most 1000 characters').default('offboarding'),
    problems,
  );
  const apiKey = read(env, 'TEMPORAL_API_KEY', z.string().min(1).optional(), problems, false);
  const certPath = read(env, 'TEMPORAL_TLS_CERT', existingFile('PEM client certificate').optional(), problems);
  const keyPath = read(env, 'TEMPORAL_TLS_KEY', existingFile('PEM client key').optional(), problems);
  const caPath = read(env, 'TEMPORAL_TLS_CA', existingFile('PEM CA certificate').optional(), problems);
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    problems.push(
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: must be set together (mTLS needs both the certificate and its key)',
    );
  }
  const tls = certPath || keyPath || caPath ? { certPath, keyPath, caPath } : undefined;
  return { address: address as string, namespace: namespace as string, taskQueue: taskQueue as string, apiKey, tls };
}

/** Options for `Connection.connect` (client) and `NativeConnection.connect` (worker): same shape for both. */
export function temporalConnectionOptions(config: TemporalConfig): {
  address: string;
  apiKey?: string;
  tls?: boolean | { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer };
} {
  let tls: boolean | { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer } | undefined;
  if (config.tls) {
    tls = {
      clientCertPair:
        config.tls.certPath && config.tls.keyPath
          ? { crt: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) }
          : undefined,
      serverRootCACertificate: config.tls.caPath ? readFileSync(config.tls.caPath) : undefined,
    };
  } else if (config.apiKey) {
    tls = true; // an API key (Temporal Cloud) travels over TLS with the system roots
  }
  return { address: config.address, apiKey: config.apiKey, tls };
}

export interface AlibabaSettings {
  mode: 'emulator' | 'live';
  csEndpoint?: string;
  ramEndpoint?: string;
  protocol: 'http' | 'https';
  region: string;
  accountId: string;
  workerIdentity: string;
  /** Set only when the credentials come from the demo fixture (emulator mode without ALIBABA_CLOUD_* variables). */
  fixtureKey?: { accessKeyId: string; accessKeySecret: string };
}

export interface WorkerConfig {
  temporal: TemporalConfig;
  alibaba: AlibabaSettings;
  admins: string[];
  auditDir: string;
  notifyWebhook?: string;
  recentUseWindowMs: number;
  workflowBundlePath?: string;
  shutdownGraceMs: number;
}

export const EMULATOR_DEFAULT_ENDPOINT = '127.0.0.1:18080';
export const DEMO_ACCOUNT_ID = '1234567890123456';
export const DEMO_WORKER_IDENTITY = 'user/offboarding-bot';
export const DEMO_ADMINS = ['carol', 'dave'];
const repoRoot = resolve(__dirname, '..');
export const DEMO_FIXTURE_PATH = join(repoRoot, 'emulator', 'fixtures', 'demo.json');

/** The demo fixture's first key of the worker's RAM user: demo strings, never real credentials. */
export function demoFixtureKey(
  identity: string,
  fixturePath = DEMO_FIXTURE_PATH,
): { accessKeyId: string; accessKeySecret: string } | undefined {
  if (!existsSync(fixturePath)) return undefined;
  const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as {
    users?: Array<{ name: string; accessKeys?: Array<{ id: string; secret: string }> }>;
  };
  const name = identity.replace(/^user\//, '');
  const key = fixture.users?.find((u) => u.name === name)?.accessKeys?.[0];
  return key ? { accessKeyId: key.id, accessKeySecret: key.secret } : undefined;
}

/**
 * Where and as whom the Alibaba Cloud calls go: account, the worker's identity, endpoints, region, credentials
 * source. The CLI needs only this part (and the Temporal one), not the worker's admins or sinks.
 */
export function loadAlibabaSettings(env: Env = process.env): AlibabaSettings {
  const problems: string[] = [];
  const settings = readAlibabaSettings(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

function readAlibabaSettings(env: Env, problems: string[]): AlibabaSettings {
  const mode = read(
    env,
    'OFFBOARD_ALIBABA_MODE',
    z.enum(['emulator', 'live'], { error: 'must be "emulator" (default) or "live"' }).default('emulator'),
    problems,
  );
  const live = mode === 'live';
  const endpoint = (name: string) =>
    read(
      env,
      name,
      live ? hostPort('Alibaba Cloud endpoint').optional() : hostPort('emulator').default(EMULATOR_DEFAULT_ENDPOINT),
      problems,
    );
  const csEndpoint = endpoint('OFFBOARD_CS_ENDPOINT');
  const ramEndpoint = endpoint('OFFBOARD_RAM_ENDPOINT');
  const region = read(
    env,
    'OFFBOARD_REGION',
    z
      .string()
      .regex(/^[a-z]{2}-[a-z0-9-]+$/, 'must be a region id such as cn-hangzhou')
      .default('cn-hangzhou'),
    problems,
  );
  const accountRule = z
    .string({ error: 'is required in live mode: the 16-digit account id the credentials belong to' })
    .refine(isValidAccountId, 'must be the 16-digit Alibaba Cloud account id');
  const accountId = read(
    env,
    'OFFBOARD_ACCOUNT_ID',
    live ? accountRule : accountRule.default(DEMO_ACCOUNT_ID),
    problems,
  );
  const identityRule = z
    .string({ error: "is required in live mode: the worker's own identity as user/<name> or role/<name>" })
    .regex(/^(user|role)\/[A-Za-z0-9._-]{1,64}$/, 'must be user/<name> or role/<name>');
  const workerIdentity = read(
    env,
    'OFFBOARD_WORKER_IDENTITY',
    live ? identityRule : identityRule.default(DEMO_WORKER_IDENTITY),
    problems,
  );
  let fixtureKey: AlibabaSettings['fixtureKey'];
  if (!live && !env.ALIBABA_CLOUD_ACCESS_KEY_ID && workerIdentity) {
    fixtureKey = demoFixtureKey(workerIdentity);
    if (!fixtureKey) {
      problems.push(
        `ALIBABA_CLOUD_ACCESS_KEY_ID: not set, and the demo fixture (${DEMO_FIXTURE_PATH}) has no key for ${workerIdentity}`,
      );
    }
  }
  if (env.ALIBABA_CLOUD_ACCESS_KEY_ID && !env.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
    problems.push('ALIBABA_CLOUD_ACCESS_KEY_SECRET: must be set together with ALIBABA_CLOUD_ACCESS_KEY_ID');
  }
  return {
    mode: mode as 'emulator' | 'live',
    csEndpoint,
    ramEndpoint,
    protocol: live ? 'https' : 'http',
    region: region as string,
    accountId: accountId as string,
    workerIdentity: workerIdentity as string,
    fixtureKey,
  };
}

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const problems: string[] = [];
  const temporal = readTemporalConfig(env, problems);
  const alibaba = readAlibabaSettings(env, problems);
  const live = alibaba.mode === 'live';
  const adminsRule = z
    .string({ error: 'is required in live mode: a comma-separated list of admin names' })
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0, 'must name at least one admin')
    .refine(
      (list) => list.every(isValidActor),
      'each admin must be 1-128 characters: letters, digits, ".", "_", "@", "+" or "-"',
    );
  const admins = read(env, 'OFFBOARD_ADMINS', live ? adminsRule : adminsRule.default([...DEMO_ADMINS]), problems);
  const auditDir = read(env, 'OFFBOARD_AUDIT_DIR', z.string().min(1).default('.data/audit'), problems);
  const notifyWebhook = read(
    env,
    'OFFBOARD_NOTIFY_WEBHOOK',
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    problems,
  );
  const recentUseWindowMs = read(env, 'OFFBOARD_RECENT_USE_WINDOW', duration('7d'), problems);
  const shutdownGraceMs = read(env, 'OFFBOARD_SHUTDOWN_GRACE', duration('10s'), problems);
  const workflowBundlePath = read(
    env,
    'OFFBOARD_WORKFLOW_BUNDLE',
    existingFile('prebuilt workflow bundle (.js)').optional(),
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    temporal,
    alibaba,
    admins: admins as string[],
    auditDir: resolve(auditDir as string),
    notifyWebhook,
    recentUseWindowMs: recentUseWindowMs as number,
    workflowBundlePath,
    shutdownGraceMs: shutdownGraceMs as number,
  };
}

/** What the worker prints at start: no secrets, and says where the credentials come from. */
export function describeConfig(config: WorkerConfig): string {
  const a = config.alibaba;
  return [
    `temporal ${config.temporal.address} namespace=${config.temporal.namespace} taskQueue=${config.temporal.taskQueue}${config.temporal.apiKey ? ' apiKey=set' : ''}${config.temporal.tls ? ' tls=on' : ''}`,
    `alibaba mode=${a.mode} cs=${a.csEndpoint ?? 'default'} ram=${a.ramEndpoint ?? 'default'} region=${a.region} account=${a.accountId} worker=${a.workerIdentity}`,
    `credentials: ${a.fixtureKey ? `demo fixture key ${a.fixtureKey.accessKeyId} of ${a.workerIdentity} (emulator mode, ALIBABA_CLOUD_ACCESS_KEY_ID unset)` : 'default credential chain of @alicloud/credentials'}`,
    `admins=${config.admins.join(',')} audit=${config.auditDir} notify=${config.notifyWebhook ? 'webhook' : 'console'}`,
  ].join('\n');
}
