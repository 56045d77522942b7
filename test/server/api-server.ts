/**
 * The offboarding API as the tests meet it: `server/main.ts` in its own process (as `npm run server` runs it), with
 * the embedded identity provider, on free ports, reached over real HTTP. People sign in through the provider's own
 * pages (the device flow, as `offboard login` will). With a harness (test/workflows/harness.ts) the server talks to
 * the test's Temporal server, task queue and emulator account, and signs with the key the harness's worker trusts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort, repoRoot } from '../../scripts/local-temporal';
import { signInWithDeviceFlow } from '../../server/idp/headless-sign-in';
import { waitForOutput } from '../support/process-output';
import { TEST_PAYLOAD_KEYS_PATH } from '../support/temporal';
import { type Harness } from '../workflows/harness';
import { type LocalStack } from '../workflows/local-stack';

export type PersonName = 'hr-jane' | 'carol' | 'dave' | 'olivia' | 'sam' | 'bob';

export interface ApiServer {
  url: string;
  issuer: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server logged so far. */
  output(): string;
  passwords(): Record<PersonName, string>;
  /** An access token for the person, from the device flow (one sign-in per person and server). */
  token(person: PersonName): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { as?: PersonName; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  stop(): Promise<void>;
}

/**
 * The environment of a server for `harness` (its Temporal task queue, account, trusted key, payload keys and timing
 * bounds): a harness, or any stack with the same parts (startApiServerFor).
 */
export function harnessEnv(
  h: Pick<Harness, 'key' | 'taskQueue' | 'accountId'> & { env: Record<string, string> },
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-signing-'));
  const signingKeys = join(dir, 'signing.jwks.json');
  writeFileSync(signingKeys, JSON.stringify({ keys: [h.key] }), { mode: 0o600 });
  return {
    TEMPORAL_ADDRESS: h.env.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: h.env.TEMPORAL_NAMESPACE,
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    OFFBOARD_ACCOUNT_ID: h.accountId,
    OFFBOARD_SIGNING_KEYS: signingKeys,
    // The worker's payload keys (it refuses what it cannot decrypt) and its timing bounds.
    OFFBOARD_PAYLOAD_KEYS: h.env.OFFBOARD_PAYLOAD_KEYS,
    OFFBOARD_TIMING_BOUNDS: h.env.OFFBOARD_TIMING_BOUNDS,
  };
}

/**
 * The server for a stack of the benchmarks (test/workflows/local-stack.ts, scripts/bench/process-stack.ts): the stack's
 * Temporal server, task queue, account and key. `main`: compiled JavaScript to run instead of `tsx server/main.ts`;
 * `env` adds to the server's environment.
 */
export function startApiServerFor(
  stack: Pick<LocalStack, 'client' | 'key' | 'taskQueue' | 'accountId'>,
  options: { main?: string; env?: Record<string, string> } = {},
): Promise<ApiServer> {
  const address = stack.client.connection instanceof Connection ? stack.client.connection.options.address : '';
  return startApiServer(
    {
      ...harnessEnv({
        ...stack,
        env: {
          TEMPORAL_ADDRESS: address,
          TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
          OFFBOARD_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS_PATH,
          OFFBOARD_TIMING_BOUNDS: 'fast',
        },
      }),
      ...options.env,
    },
    { main: options.main },
  );
}

/** Starts the server; `env` adds to (or overrides) a clean emulator-mode environment. */
export async function startApiServer(
  env: Record<string, string> = {},
  options: { main?: string } = {},
): Promise<ApiServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'offboard-api-'));
  const [apiPort, idpPort] = [await freePort(), await freePort()];
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OFFBOARD_') && !k.startsWith('TEMPORAL_')),
  );
  const args = options.main ? [options.main] : ['--import', 'tsx', join(repoRoot, 'server', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...base,
      OFFBOARD_ALIBABA_MODE: 'emulator',
      OFFBOARD_DATA_DIR: dataDir,
      OFFBOARD_API_LISTEN: `127.0.0.1:${apiPort}`,
      OFFBOARD_IDP_PORT: String(idpPort),
      OFFBOARD_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  await waitForOutput(child, /embedded identity provider at/, 60_000);
  const url = `http://127.0.0.1:${apiPort}`;
  // Ready when it answers.
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 200) throw new Error(`the API did not answer at ${url}:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const issuer = `http://127.0.0.1:${idpPort}`;
  const passwords = () =>
    JSON.parse(readFileSync(join(dataDir, 'idp-users.json'), 'utf8')) as Record<PersonName, string>;
  const tokens = new Map<PersonName, Promise<string>>();
  const token = (person: PersonName) => {
    if (!tokens.has(person)) {
      tokens.set(
        person,
        signInWithDeviceFlow({
          issuer,
          clientId: 'offboard-cli',
          who: { username: person, password: passwords()[person] },
        }).then((t) => t.access_token),
      );
    }
    return tokens.get(person)!;
  };
  return {
    url,
    issuer,
    dataDir,
    process: child,
    output: () => output,
    passwords,
    token,
    async call(method, path, options = {}) {
      const bearer = options.token ?? (options.as ? await token(options.as) : undefined);
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(options.body !== undefined || options.rawBody !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...options.headers,
        },
        body: options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
      });
      const text = await res.text();
      let body: Record<string, unknown>;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        body = { text };
      }
      return { status: res.status, body, headers: res.headers };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `GET /v1/runs/<workflowId>` until `until` holds. */
export async function waitForRun(
  api: ApiServer,
  workflowId: string,
  until: (status: Record<string, unknown>) => boolean,
  what: string,
  timeoutMs = 45_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> | undefined;
  while (Date.now() < deadline) {
    const res = await api.call('GET', `/v1/runs/${workflowId}`, { as: 'olivia' });
    if (res.status === 200) {
      last = res.body;
      if (until(res.body)) return res.body;
    }
    await sleep(200);
  }
  throw new Error(
    `timed out waiting for ${what} of ${workflowId}; last: ${JSON.stringify(last && { stage: last.stage, details: last.details })}`,
  );
}
