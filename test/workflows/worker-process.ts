/**
 * The worker as a real process (`tsx worker/main.ts`, configured by environment like production), for tests that
 * kill it or read its log. Each runs in its own process group: tsx runs the worker in a child process, and a crash
 * must take both down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the worker printed so far, stdout and stderr together. */
  output(): string;
}

const running = new Set<ChildProcess>();

/**
 * Starts `tsx worker/main.ts` with `env` over this process's environment; resolves once it polls its task queue.
 * `nodeArgs` (for example `--cpu-prof`) run the worker in one node process with tsx as its loader, so that the flags
 * reach the worker itself, not tsx's launcher. `compiledMain` runs compiled JavaScript with node instead, as the
 * production image does (scripts/bench/compiled.ts). `script` runs another worker than worker/main.ts under tsx (the
 * benchmark's floor worker); it must print "polling task queue" once it polls.
 */
export async function startWorkerProcess(
  env: Record<string, string>,
  options: { nodeArgs?: string[]; compiledMain?: string; script?: string } = {},
): Promise<WorkerProcess> {
  const { nodeArgs = [], compiledMain, script } = options;
  const main = script ?? join(repoRoot, 'worker', 'main.ts');
  const args = compiledMain
    ? [...nodeArgs, compiledMain]
    : nodeArgs.length > 0
      ? [...nodeArgs, '--import', 'tsx', main]
      : [require.resolve('tsx/cli'), main];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env, OFFBOARD_WORKFLOW_BUNDLE: process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  const onData = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in 30 s:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes('polling task queue')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output };
}

/** SIGKILL to the worker's whole process group. */
export function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // already gone
  }
}

export function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-(child.pid as number), 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills every worker process a test file started (declare in afterAll before the harness stops). */
export function killAllWorkers(): void {
  for (const child of running) killGroup(child);
}
