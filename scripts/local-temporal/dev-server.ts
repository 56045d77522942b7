/**
 * A Temporal dev server (`temporal server start-dev`) with the project's search attributes: started, waited on until
 * healthy, and stopped by pid.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { allSearchAttributeKeys } from '../../common/search-attributes';
import { type Log, TemporalSetupError } from './paths';
import { assertPortFree } from './ports';

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
