/**
 * `npm run bench:cli`: how fast the `offboard` CLI answers, as a person in a loop or a script sees it. Every figure is
 * the wall time of a real `node bin/offboard.js …` subprocess, from spawn to exit, over several runs:
 *   --help       starting the CLI (no Temporal, no cloud)                                  target ≤ 300 ms
 *   status RUN   one run waiting for approval, against a running dev server and worker     target ≤ 600 ms
 * For `status` it starts a local stack (test/workflows/local-stack.ts: the dev server, or TEMPORAL_ADDRESS when set,
 * the emulator and an in-process worker). It also times each command once with an empty cache, as after a fresh
 * clone or a change to a source: bin/compiled-cli.js then compiles the CLI, and V8 its code cache for the command.
 *   npm run bench:cli -- [--runs 10]
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { OffboardingStage } from '../common/stages';
import { startOffboardIdentity } from '../config/start';
import { startLocalStack } from '../test/workflows/local-stack';
import { waitForStage, workerEnv } from '../test/workflows/harness';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'offboard.js');
// The launcher's cache: emptied, the next run compiles the CLI, as after a fresh clone. bin/ is plain JavaScript (it
// runs before any TypeScript can), hence require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cacheDir } = require('../bin/compiled-cli') as { cacheDir: () => string };

const TARGET_HELP_MS = 300;
const TARGET_STATUS_MS = 600;

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const { runs } = new Command()
  .name('bench-cli')
  .option('--runs <n>', 'timed runs of each command', int, 10)
  .parse()
  .opts<{ runs: number }>();

/** Runs `node ARGS` as a subprocess; returns its wall time in ms, and fails on a non-zero exit. */
function timeNode(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`node ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(performance.now() - t0);
    });
  });
}

const timeCli = (args: string[], env: NodeJS.ProcessEnv) => timeNode([BIN, ...args], env);

/** One run with an empty cache, then `runs` timed runs. */
async function timeRuns(args: string[], env: NodeJS.ProcessEnv): Promise<{ cold: number; warm: number[] }> {
  rmSync(cacheDir(), { recursive: true, force: true });
  const cold = await timeCli(args, env);
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) warm.push(await timeCli(args, env));
  return { cold, warm };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function report(what: string, { cold, warm }: { cold: number; warm: number[] }, targetMs: number): string {
  const sorted = [...warm].sort((a, b) => a - b);
  const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;
  return [
    `  ${what.padEnd(12)} median ${ms(median(warm))}   max ${ms(sorted[sorted.length - 1])}   min ${ms(sorted[0])}   ` +
      `target ${targetMs} ms: ${median(warm) <= targetMs ? 'met' : 'MISSED'}`,
    `  ${''.padEnd(12)} first run with an empty cache (compiles the CLI): ${ms(cold)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const lines: string[] = [`offboard CLI, ${runs} runs each (wall time of node bin/offboard.js, spawn to exit):`];

  lines.push(report('--help', await timeRuns(['--help'], process.env), TARGET_HELP_MS));
  const node: number[] = [];
  for (let i = 0; i < runs; i++) node.push(await timeNode(['-e', '0'], process.env));
  lines.push(
    `  ${'(node -e 0'.padEnd(12)} median ${median(node).toFixed(0).padStart(5)} ms: Node's own start on this machine now)`,
  );

  const stack = await startLocalStack(() => undefined);
  try {
    const address = stack.client.connection instanceof Connection ? stack.client.connection.options.address : '';
    const env = {
      ...process.env,
      ...workerEnv(stack.emulator.endpoint, stack.accountId, stack.config.auditDir, stack.taskQueue),
      TEMPORAL_ADDRESS: address,
    };
    const { handle } = await startOffboardIdentity(
      stack.client,
      {
        accountId: stack.accountId,
        target: { type: 'user', name: 'alice' },
        requestedBy: 'hr-jane',
        reason: 'departure',
      },
      { taskQueue: stack.taskQueue, workerIdentity: stack.config.alibaba.workerIdentity },
    );
    await waitForStage(handle, OffboardingStage.AwaitingApproval, 60_000, 'approval');
    lines.push(report('status RUN', await timeRuns(['status', handle.workflowId], env), TARGET_STATUS_MS));
  } finally {
    await stack.stop();
  }
  lines.push(
    `  (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} CPUs)`,
  );
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
