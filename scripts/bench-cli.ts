/**
 * `npm run bench:cli`: how fast the `offboard` CLI answers, as a person in a loop or a script sees it. Every figure is
 * the wall time of a real subprocess, from spawn to exit:
 *   node bin/offboard.js --help       starting the CLI (no API, no cloud)                          target ≤ 300 ms
 *   node bin/offboard.js status RUN   a run waiting for approval, through the offboarding API      target ≤ 600 ms
 *   node -e 0                         Node's own start, the floor under both
 * The three run in turn, round after round, so that all see the same load of a shared machine. For `status` it starts
 * the stack that `npm start` runs, from the tests' pieces: the Temporal dev server (or TEMPORAL_ADDRESS when set), the
 * emulator and a worker (test/workflows/local-stack.ts), and the API server with its embedded identity provider in
 * its own process (test/server/api-server.ts); hr-jane starts alice's offboarding through the API, and olivia
 * (on-call) signs in with `offboard login` (test/cli/cli-harness.ts), so `status` runs with a real session. Before
 * the rounds each command runs once with an empty cache, as after a fresh clone or a change to a source:
 * bin/compiled-cli.js then compiles the CLI, and V8 the command's code cache.
 *   npm run bench:cli -- [--rounds 10]
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { login } from '../test/cli/cli-harness';
import { startApiServerFor, waitForRun } from '../test/server/api-server';
import { startLocalStack } from '../test/workflows/local-stack';

const BIN = join(__dirname, '..', 'bin', 'offboard.js');
// The launcher's cache: emptied, the next run compiles the CLI, as after a fresh clone. bin/ is plain JavaScript (it
// runs before any TypeScript can), hence require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cacheDir } = require('../bin/compiled-cli') as { cacheDir: () => string };

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const { rounds } = new Command()
  .name('bench-cli')
  .option('--rounds <n>', 'how many times each command is timed', int, 10)
  .parse()
  .opts<{ rounds: number }>();

/** Runs `node ARGS`; returns its wall time in ms, and fails on a non-zero exit. */
function timeNode(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`node ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(performance.now() - t0);
    });
  });
}

interface Measured {
  what: string;
  args: string[];
  targetMs?: number;
  firstMs?: number;
  times: number[];
}

const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;

function report(m: Measured): string {
  const sorted = [...m.times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const target =
    m.targetMs === undefined ? '' : `   target ${m.targetMs} ms: ${median <= m.targetMs ? 'met' : 'MISSED'}`;
  const first = m.firstMs === undefined ? '' : `   first, with an empty cache: ${ms(m.firstMs)}`;
  return `  ${m.what.padEnd(12)} median ${ms(median)}   max ${ms(sorted[sorted.length - 1])}${target}${first}`;
}

async function main(): Promise<void> {
  const stack = await startLocalStack(() => undefined);
  const api = await startApiServerFor(stack);
  const measured: Measured[] = [];
  try {
    const started = await api.call('POST', '/v1/offboardings', {
      as: 'hr-jane',
      body: { target: { type: 'user', name: 'alice' }, reason: 'departure' },
    });
    if (started.status !== 201) throw new Error(`the start was refused: ${JSON.stringify(started.body)}`);
    const workflowId = String(started.body.workflowId);
    await waitForRun(api, workflowId, (s) => s.pendingDecision === 'approval', 'AwaitingApproval', 60_000);
    // The CLI as olivia (on-call) uses it: signed in with offboard login, the session in her config directory.
    const env = { ...process.env, OFFBOARD_API_URL: api.url, OFFBOARD_CONFIG_DIR: mkdtempSync(`${tmpdir()}/bench-`) };
    const signedIn = await login(env as Record<string, string>, {
      username: 'olivia',
      password: api.passwords().olivia,
    });
    if (signedIn.code !== 0) throw new Error(`offboard login failed:\n${signedIn.stderr}`);

    measured.push(
      { what: 'node -e 0', args: ['-e', '0'], times: [] },
      { what: '--help', args: [BIN, '--help'], targetMs: 300, times: [] },
      { what: 'status RUN', args: [BIN, 'status', workflowId], targetMs: 600, times: [] },
    );
    for (const m of measured) {
      if (m.targetMs === undefined) continue;
      rmSync(cacheDir(), { recursive: true, force: true });
      m.firstMs = await timeNode(m.args, env);
    }
    // One untimed round writes the code cache of each command again (emptying the cache removed the other's).
    for (let round = -1; round < rounds; round++) {
      for (const m of measured) {
        const t = await timeNode(m.args, env);
        if (round >= 0) m.times.push(t);
      }
    }
  } finally {
    await api.stop();
    await stack.stop();
  }
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    [
      `offboard CLI: wall time of each subprocess, spawn to exit, ${rounds} rounds`,
      ...measured.map(report),
      `  (load average ${load} on ${cpus().length} CPUs)`,
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
