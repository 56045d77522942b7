/**
 * What the CLI tests share: the CLI run as a subprocess (`node bin/offboard.js …`, exactly as `npx offboard` runs it)
 * against the real stack — the workflow tests' harness (Temporal dev server, emulator, a worker built by the
 * production activities factory) and the offboarding API in its own process with its embedded identity provider —
 * and people signed in as a person would: `offboard login`, its page and code confirmed through the provider's own
 * pages (server/idp/headless-sign-in.ts), the session kept in the person's own config directory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { statusQuery } from '../../common/messages';
import { type RunStatus } from '../../common/types';
import { confirmDeviceCode } from '../../server/idp/headless-sign-in';
import { type ApiServer, harnessEnv, type PersonName, startApiServer } from '../server/api-server';
import { emulatorState, type Harness, journal, startHarness } from '../workflows/harness';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'offboard.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI user: no Temporal or Alibaba settings, no token; only what a test gives. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(ALIBABA_CLOUD_|TEMPORAL_|OFFBOARD_)/.test(k)) delete env[k];
  }
  return env;
}

/** Runs `offboard ARGS` and returns its exit code and output; a CLI that hangs fails the test after `timeoutMs`. */
export function offboard(env: Record<string, string>, args: string[], timeoutMs = 45_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...baseEnv(), ...env }, timeout: timeoutMs, maxBuffer: 8 << 20 },
      (err, stdout, stderr) => {
        if (err && err.killed) {
          reject(new Error(`offboard ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
          return;
        }
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * `offboard login` as a person runs it: the CLI prints a page and a code, the person opens the page, enters the code,
 * signs in with their password and confirms; the CLI, which has been polling, keeps the session and exits.
 */
export function login(
  env: Record<string, string>,
  who: { username: string; password: string },
  args: string[] = [],
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, 'login', ...args], {
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return confirmLoginOf(child, who);
}

/**
 * The person's side of a running `offboard login` (however it was started: the CLI, or a command line as printed):
 * reads the page and the code it prints, confirms them at the provider as `who`, and waits for it to exit.
 */
export async function confirmLoginOf(
  child: ChildProcess,
  who: { username: string; password: string },
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const printed = new Promise<{ uri: string; code: string } | undefined>((resolve) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const uri = /open this page in a browser[^\n]*\n\s+(\S+)/.exec(stderr)?.[1];
      const code = /enter the code\s+(\S+)/.exec(stderr)?.[1];
      if (uri && code) resolve({ uri, code });
    });
    void exited.then(() => resolve(undefined));
  });
  const prompt = await printed;
  if (prompt) await confirmDeviceCode({ verificationUri: prompt.uri, userCode: prompt.code, who });
  const code = await exited;
  return { code, stdout, stderr };
}

/** The harness, the API in front of it, and the people signed in to it (each with a config directory of their own). */
export interface CliWorld {
  h: Harness;
  api: ApiServer;
  /** The CLI's environment for a person: the API's URL and their config directory (signed in on first use). */
  as(person: PersonName): Promise<Record<string, string>>;
  /** The CLI's environment of someone who has not signed in. */
  nobody(): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the world; `serverEnv` adds to the API server's environment (e.g. OFFBOARD_ROLE_GROUPS), `harness` to the
 * worker's (its fixture, OFFBOARD_DELETION_FAILSAFE).
 */
export async function startCliWorld(
  prefix: string,
  serverEnv: Record<string, string> = {},
  harness?: Parameters<typeof startHarness>[1],
): Promise<CliWorld> {
  const h = await startHarness(prefix, harness);
  const api = await startApiServer({ ...harnessEnv(h), ...serverEnv });
  const sessions = new Map<PersonName, Promise<Record<string, string>>>();
  const nobody = () => ({
    OFFBOARD_API_URL: api.url,
    OFFBOARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'offboard-cli-')),
  });
  const signIn = async (person: PersonName) => {
    const env = nobody();
    const r = await login(env, { username: person, password: api.passwords()[person] });
    if (r.code !== 0) throw new Error(`offboard login as ${person} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    return env;
  };
  return {
    h,
    api,
    nobody,
    as(person) {
      if (!sessions.has(person)) sessions.set(person, signIn(person));
      return sessions.get(person)!;
    },
    async stop() {
      await api.stop();
      await h.stop();
    },
  };
}

/**
 * The packages that `offboard ARGS` loads, seen from the TypeScript sources run through tsx (in the compiled CLI,
 * bundled packages are no modules of their own): for the checks that a command loads only what it needs.
 */
export function packagesLoadedBy(args: string[]): Promise<string[]> {
  const script = `
    const io = { stdout() {}, stderr() {}, env: process.env, now: () => new Date() };
    require('./client/cli.ts').main(['node', 'offboard', ...process.argv.slice(1)], io).then(() => {
      const packages = Object.keys(require.cache)
        .filter((file) => file.includes('/node_modules/'))
        .map((file) => file.split('/node_modules/').pop().split('/'))
        .map(([scope, name]) => (scope.startsWith('@') ? scope + '/' + name : scope));
      console.log(JSON.stringify([...new Set(packages)]));
    });`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', 'tsx/cjs', '-e', script, '--', ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

/** Parses the one JSON document a `--json` command prints. */
export function json<T = Record<string, unknown>>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Emulator state without the `lastUsed` times of access keys: a read signed with a key updates its own. */
export async function stateWithoutKeyUse(h: Harness): Promise<unknown> {
  const strip = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(strip)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([k]) => k !== 'lastUsed')
              .map(([k, x]) => [k, strip(x)]),
          )
        : v;
  return strip(await emulatorState(h.emulator));
}

export async function journalLength(h: Harness): Promise<number> {
  return (await journal(h.emulator)).length;
}

/** A snapshot of everything a command could have changed: the emulator (journal and state) and the run's status. */
export async function snapshot(h: Harness, workflowId?: string) {
  return {
    journal: await journalLength(h),
    state: await stateWithoutKeyUse(h),
    run: workflowId ? await runView(h.client, workflowId) : undefined,
  };
}

/** The parts of a run's status that a refused message must leave as they were. */
async function runView(client: Client, workflowId: string) {
  const s: RunStatus = await client.workflow.getHandle(workflowId).query(statusQuery);
  return { stage: s.stage, pending: s.pendingDecision, decisions: s.decisions.length, audit: s.audit.length };
}

export async function runExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Repeats a CLI command until its output satisfies `ok` (visibility is eventually consistent). */
export async function eventually(
  run: () => Promise<CliResult>,
  ok: (r: CliResult) => boolean,
  timeoutMs = 10_000,
): Promise<CliResult> {
  const deadline = Date.now() + timeoutMs;
  let last = await run();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    last = await run();
  }
  return last;
}
