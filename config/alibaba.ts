import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isValidAccountId } from '../common/validation';
import { ConfigError, type Env, hostPort, read } from './env';

/** Where Alibaba Cloud calls go, whoever signs them: the mode, the endpoints and the region. */
export interface AlibabaEndpoints {
  mode: 'emulator' | 'live';
  csEndpoint?: string;
  ramEndpoint?: string;
  /** STS, for GetCallerIdentity: the worker resolves its own principal once at start. */
  stsEndpoint?: string;
  /** IMS, for RAM's recycle bin. */
  imsEndpoint?: string;
  protocol: 'http' | 'https';
  region: string;
}

/** The worker's Alibaba Cloud settings: the endpoints, and the account and identity it acts as. */
export interface AlibabaSettings extends AlibabaEndpoints {
  accountId: string;
  workerIdentity: string;
  /** Set only when the credentials come from the demo fixture (emulator mode without ALIBABA_CLOUD_* variables). */
  fixtureKey?: { accessKeyId: string; accessKeySecret: string };
}

export const EMULATOR_DEFAULT_ENDPOINT = '127.0.0.1:18080';
export const DEMO_ACCOUNT_ID = '1234567890123456';
export const DEMO_WORKER_IDENTITY = 'user/offboarding-bot';
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
 * source. The CLI needs only this part (and the Temporal one), not the worker's trust keys or sinks.
 */
export function loadAlibabaSettings(env: Env = process.env): AlibabaSettings {
  const problems: string[] = [];
  const settings = readAlibabaSettings(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

export function readAlibabaEndpoints(env: Env, problems: string[]): AlibabaEndpoints {
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
  // The emulator serves STS on the same host:port as RAM; live, the SDK's regional endpoint unless one is given.
  const stsEndpoint =
    read(
      env,
      'OFFBOARD_STS_ENDPOINT',
      live ? hostPort('Alibaba Cloud endpoint').optional() : hostPort('emulator').optional(),
      problems,
    ) ?? (live ? undefined : ramEndpoint);
  // RAM's recycle bin (IMS): the emulator serves it on RAM's host:port; live, the SDK's (ims.aliyuncs.com, central).
  const imsEndpoint =
    read(
      env,
      'OFFBOARD_IMS_ENDPOINT',
      live ? hostPort('Alibaba Cloud endpoint').optional() : hostPort('emulator').optional(),
      problems,
    ) ?? (live ? undefined : ramEndpoint);
  const region = read(
    env,
    'OFFBOARD_REGION',
    z
      .string()
      .regex(/^[a-z]{2}-[a-z0-9-]+$/, 'must be a region id such as cn-hangzhou')
      .default('cn-hangzhou'),
    problems,
  );
  return {
    mode: (mode ?? 'emulator') as 'emulator' | 'live',
    csEndpoint,
    ramEndpoint,
    stsEndpoint,
    imsEndpoint,
    protocol: live ? 'https' : 'http',
    region: region as string,
  };
}

/**
 * Where a person's own call goes (`offboard revoke-own`, signed with their credentials): the endpoints only; the
 * worker's account and identity are not asked for.
 */
export function loadAlibabaEndpoints(env: Env = process.env): AlibabaEndpoints {
  const problems: string[] = [];
  const endpoints = readAlibabaEndpoints(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return endpoints;
}

export function readAlibabaSettings(env: Env, problems: string[]): AlibabaSettings {
  const endpoints = readAlibabaEndpoints(env, problems);
  const live = endpoints.mode === 'live';
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
    ...endpoints,
    accountId: accountId as string,
    workerIdentity: workerIdentity as string,
    fixtureKey,
  };
}
