/**
 * The project's own local server (`npm run temporal`, `npm start`): persistent under the data directory, recorded in
 * a pid file, reused while it runs, and stopped only if the recorded pid is still our dev server.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DevServer, isAlive, startDevServer, stopProcess } from './dev-server';
import { dataDir, type Log, TemporalSetupError } from './paths';
import { ensureTemporalCli } from './temporal-cli';

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
