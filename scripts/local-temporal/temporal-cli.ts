/**
 * The official Temporal CLI (it contains the dev server and the UI): found on the machine, or built once with Go into
 * a cache outside the work tree, or downloaded by the Temporal SDK as a last resort.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type Log, TemporalSetupError } from './paths';

/** v1.5.1 is the newest tag whose go.mod has no replace directive, so `go install` accepts it. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

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
