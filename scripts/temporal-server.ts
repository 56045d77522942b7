/**
 * The local Temporal server: find (or install once) the official Temporal CLI, start its dev server with the
 * project's search attributes, wait until it is healthy, and stop only what we started.
 * Used by `npm run temporal`, `npm start` and the jest global setup, so all three behave the same way.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { allSearchAttributeKeys } from '../common/search-attributes';

/** v1.5.1 is the newest tag whose go.mod has no replace directive, so `go install` accepts it. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export const repoRoot = resolve(__dirname, '..');
/** Local state of the dev server and the demo; OFFBOARD_DATA_DIR moves it (a second demo, or a test of the demo). */
export const dataDir = process.env.OFFBOARD_DATA_DIR ? resolve(process.env.OFFBOARD_DATA_DIR) : join(repoRoot, '.data');

export class TemporalSetupError extends Error {
  override name = 'TemporalSetupError';
}

type Log = (line: string) => void;

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'acs-offboarding', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

function isExecutableFile(path: string): boolean {
  try {
    return statSync(path).isFile() && (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

export interface FoundCli {
  path: string;
  source: 'TEMPORAL_CLI' | 'PATH' | 'cache';
}

/** `$TEMPORAL_CLI`, then `PATH`, then the cache directory. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): FoundCli | undefined {
  if (env.TEMPORAL_CLI) {
    if (!isExecutableFile(env.TEMPORAL_CLI)) {
      throw new TemporalSetupError(`TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file.`);
    }
    return { path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutableFile(join(dir, 'temporal'))) return { path: join(dir, 'temporal'), source: 'PATH' };
  }
  const cached = join(cacheDir(env), 'temporal');
  if (isExecutableFile(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

function hasGo(env: NodeJS.ProcessEnv): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore', env }).status === 0;
}

const installHelp = `Install the Temporal CLI in one of these ways, then run this again:
  - with Go (>= 1.23): go install ${GO_PACKAGE}   (then put $(go env GOPATH)/bin on PATH)
  - download a release from https://github.com/temporalio/cli/releases and set TEMPORAL_CLI=/path/to/temporal
  - macOS: brew install temporal`;

async function installWithGo(target: string, log: Log, env: NodeJS.ProcessEnv): Promise<void> {
  mkdirSync(target, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${target}`);
  log('This happens once per machine and takes a few minutes; later runs reuse the binary.');
  const started = Date.now();
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn('go', ['install', GO_PACKAGE], {
      env: { ...env, GOBIN: target },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const lines = chunk.toString().trim().split('\n');
      log(`  go: ${lines[lines.length - 1]}`);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const ticker = setInterval(
      () => log(`  still building (${Math.round((Date.now() - started) / 1000)} s)…`),
      20_000,
    ).unref();
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolvePromise();
      else
        reject(new TemporalSetupError(`go install failed (exit ${code}):\n${output.slice(-2000)}\n\n${installHelp}`));
    });
  });
  log(`Built in ${Math.round((Date.now() - started) / 1000)} s.`);
}

/**
 * Without Go: let @temporalio/testing download the dev server (works on machines with internet access to
 * temporal.download), then keep the binary in our cache.
 */
async function installWithTestingDownload(target: string, log: Log): Promise<string> {
  log('Go is not installed: trying the Temporal SDK’s own download of the dev server…');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  mkdirSync(target, { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir: target } },
  });
  await env.teardown();
  const binary = readdirSync(target)
    .map((name) => join(target, name))
    .find((path) => /temporal/.test(path) && isExecutableFile(path));
  if (!binary) throw new TemporalSetupError(`The download finished but no temporal binary is in ${target}.`);
  return binary;
}

/** Finds the Temporal CLI, installing it once into the cache when it is missing. */
export async function ensureTemporalCli(
  log: Log = console.log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FoundCli> {
  const found = findTemporalCli(env);
  if (found) return found;
  const target = cacheDir(env);
  if (hasGo(env)) {
    await installWithGo(target, log, env);
    return { path: join(target, 'temporal'), source: 'cache' };
  }
  try {
    if (env.TEMPORAL_CLI_DOWNLOAD === 'never') throw new TemporalSetupError('TEMPORAL_CLI_DOWNLOAD=never');
    return { path: await installWithTestingDownload(target, log), source: 'cache' };
  } catch (err) {
    throw new TemporalSetupError(
      `No Temporal CLI was found (TEMPORAL_CLI, PATH, ${target}), Go is not installed, and the SDK's download was not possible: ${
        (err as Error).message
      }\n\n${installHelp}`,
    );
  }
}

/** Resolves when the port can be bound on the host, rejects with a clear message when something holds it. */
export async function assertPortFree(port: number, host: string, what: string): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new TemporalSetupError(
          err.code === 'EADDRINUSE'
            ? `Port ${port} (${what}) on ${host} is already in use. Stop what holds it (\`ss -ltnp 'sport = :${port}'\`), or choose another port with the environment variable for it.`
            : `Cannot bind ${host}:${port} (${what}): ${err.message}`,
        ),
      ),
    );
    server.listen(port, host, () => server.close(() => resolvePromise()));
  });
}

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, host, () => server.close(() => resolvePromise(true)));
  });
}

/**
 * A port that is free now, for a server started a moment later. Chosen below Linux's ephemeral range (32768+): a port
 * the kernel hands out with bind(0) can be taken again by any outgoing connection before our server binds it (seen
 * in CI as "address already in use"); ports below that range are only taken by servers that ask for them.
 */
const portsHandedOut = new Set<number>(); // never the same port twice to one process (gRPC and UI, say)

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (portsHandedOut.has(port) || !(await canBind(port, host))) continue;
    portsHandedOut.add(port);
    return port;
  }
  throw new TemporalSetupError(`No free port found between 20000 and 32000 on ${host}.`);
}

/** Registers every custom search attribute of the project that the namespace does not have yet. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = allSearchAttributeKeys.filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length === 0) return;
  // INDEXED_VALUE_TYPE_KEYWORD; every key of the project is a keyword (checked below so a new type is not missed).
  const keywordType = 2;
  for (const key of missing) {
    if (key.type !== 'KEYWORD')
      throw new TemporalSetupError(`Search attribute ${key.name}: type ${key.type} unsupported`);
  }
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, keywordType])),
  });
}

export interface DevServerOptions {
  cli: string;
  host?: string;
  grpcPort: number;
  uiPort: number;
  /** SQLite file; omitted = in memory (tests). */
  dbFile?: string;
  logFile: string;
  namespace?: string;
  headless?: boolean;
  healthTimeoutMs?: number;
  log?: Log;
}

export interface DevServer {
  pid: number;
  address: string;
  uiUrl?: string;
  logFile: string;
  namespace: string;
}

/** Waits for the frontend to answer, then makes sure the search attributes exist. */
async function waitHealthy(
  address: string,
  namespace: string,
  deadline: number,
  isAlive: () => boolean,
  logFile: string,
) {
  let lastError = '';
  while (Date.now() < deadline) {
    if (!isAlive()) {
      throw new TemporalSetupError(
        `The Temporal dev server exited during start-up. Its log: ${logFile}\n${tail(logFile)}`,
      );
    }
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace });
      await ensureSearchAttributes(connection, namespace);
      return;
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await connection?.close();
    }
  }
  throw new TemporalSetupError(
    `The Temporal dev server at ${address} did not become healthy in time (last error: ${lastError}). Its log: ${logFile}\n${tail(logFile)}`,
  );
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  await assertPortFree(options.grpcPort, host, 'Temporal gRPC, TEMPORAL_PORT');
  if (!options.headless) await assertPortFree(options.uiPort, host, 'Temporal UI, TEMPORAL_UI_PORT');
  mkdirSync(dirname(options.logFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    host,
    '--port',
    String(options.grpcPort),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.headless ? ['--headless'] : []),
  ];
  if (options.dbFile) mkdirSync(dirname(options.dbFile), { recursive: true });
  const logFd = openSync(options.logFile, 'a');
  const child = spawn(options.cli, args, { stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);
  child.unref();
  let exited = false;
  child.on('exit', () => (exited = true));
  const address = `${host}:${options.grpcPort}`;
  try {
    await waitHealthy(
      address,
      namespace,
      Date.now() + (options.healthTimeoutMs ?? 30_000),
      () => !exited,
      options.logFile,
    );
  } catch (err) {
    if (!exited && child.pid) process.kill(child.pid, 'SIGTERM');
    throw err;
  }
  return {
    pid: child.pid!,
    address,
    uiUrl: options.headless ? undefined : `http://${host}:${options.uiPort}`,
    logFile: options.logFile,
    namespace,
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

// --- the project's own local server: pid file under .data/ -------------------------------------------------

export const pidFile = join(dataDir, 'temporal-server.json');

export interface LocalServerSettings {
  host: string;
  grpcPort: number;
  uiPort: number;
}

export function localServerSettings(env: NodeJS.ProcessEnv = process.env): LocalServerSettings {
  const port = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      throw new TemporalSetupError(`${name}=${raw} is not a port: it must be a whole number from 1 to 65535.`);
    }
    return value;
  };
  return { host: '127.0.0.1', grpcPort: port('TEMPORAL_PORT', 7233), uiPort: port('TEMPORAL_UI_PORT', 8233) };
}

/** The server recorded in the pid file, if that pid is still our dev server (a reused pid is not ours). */
export function readPidFile(): DevServer | undefined {
  if (!existsSync(pidFile)) return undefined;
  try {
    const server = JSON.parse(readFileSync(pidFile, 'utf8')) as DevServer;
    return isOurDevServer(server.pid) ? server : undefined;
  } catch {
    return undefined;
  }
}

function isOurDevServer(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev');
  } catch {
    return true; // no /proc (macOS): the pid is alive and was recorded by us
  }
}

/** Starts the project's local server (persistent under .data/) unless the one we started is still running. */
export async function startLocalServer(log: Log = console.log): Promise<DevServer & { reused: boolean }> {
  const running = readPidFile();
  if (running) return { ...running, reused: true };
  const cli = await ensureTemporalCli(log);
  const settings = localServerSettings();
  const server = await startDevServer({
    cli: cli.path,
    host: settings.host,
    grpcPort: settings.grpcPort,
    uiPort: settings.uiPort,
    dbFile: join(dataDir, 'temporal.db'),
    logFile: join(dataDir, 'temporal-server.log'),
    log,
  });
  writeFileSync(pidFile, JSON.stringify(server, null, 2));
  return { ...server, reused: false };
}

export async function stopLocalServer(): Promise<DevServer | undefined> {
  const running = readPidFile();
  rmSync(pidFile, { force: true });
  if (!running) return undefined;
  await stopProcess(running.pid);
  return running;
}
