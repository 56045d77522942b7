import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Cs, * as $Cs from '@alicloud/cs20151215';
import Ram, * as $Ram from '@alicloud/ram20150501';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { Command, InvalidArgumentError } from 'commander';
import { percentile } from './bench/percentile';

/**
 * `npm run bench:emulator`: how many signed SDK calls per second the emulator serves on this machine. The emulator
 * runs in its own process (as in development and CI), the official SDK clients hammer it over loopback with a mix of
 * reads, bounded by a call count and a time limit. Reports client-observed throughput and latency, plus the
 * emulator's own CPU time per call (Linux), which shows how far it is from being the bottleneck.
 */

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

const opts = new Command()
  .name('bench-emulator')
  .option('--calls <n>', 'stop after this many calls', int, 20_000)
  .option('--seconds <s>', 'stop after this many seconds', int, 20)
  .option('--concurrency <n>', 'calls in flight at once', int, 32)
  .option('--warmup <n>', 'calls before measuring', int, 500)
  .parse()
  .opts<{ calls: number; seconds: number; concurrency: number; warmup: number }>();

const ROOT = path.join(__dirname, '..');
const BOT = { accessKeyId: 'LTAIdemoOffboardBot001', accessKeySecret: 'demoBotSecretNotReal00000000001' };
const ALICE = '2034000000000002';

async function startChild(): Promise<{ endpoint: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/main.ts', '--port', '0', '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/(127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code}): ${out}`)));
  });
  return {
    endpoint,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU seconds (user + system) a process has used, from /proc; undefined where /proc is absent. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const emulator = await startChild();
  try {
    const config = (): $OpenApiUtil.Config =>
      new $OpenApiUtil.Config({ ...BOT, endpoint: emulator.endpoint, protocol: 'http', regionId: 'cn-hangzhou' });
    const cs = new Cs(config());
    const ram = new Ram(config());
    const mix: (() => Promise<unknown>)[] = [
      () => ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' })),
      () => ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'ci-deployer' })),
      () =>
        ram.getAccessKeyLastUsed(
          new $Ram.GetAccessKeyLastUsedRequest({ userName: 'ci-deployer', userAccessKeyId: 'LTAIdemoCiDeployer0001' }),
        ),
      () => ram.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: 'alice' })),
      () => cs.listUserKubeConfigStates(ALICE, new $Cs.ListUserKubeConfigStatesRequest({})),
      () => cs.describeUserPermission(ALICE),
      () => cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})),
      () => cs.describeClusterDetail('c-prod-1'),
    ];

    let next = 0;
    const run = async (total: number, deadline: number, latencies: number[] | undefined): Promise<number> => {
      let errors = 0;
      const worker = async (): Promise<void> => {
        while (next < total && Date.now() < deadline) {
          const call = mix[next++ % mix.length];
          const t0 = performance.now();
          try {
            await call();
          } catch {
            errors++;
          }
          latencies?.push(performance.now() - t0);
        }
      };
      await Promise.all(Array.from({ length: opts.concurrency }, worker));
      return errors;
    };

    await run(opts.warmup, Date.now() + 10_000, undefined);
    next = 0;
    const latencies: number[] = [];
    const cpuBefore = cpuSeconds(emulator.pid);
    const started = performance.now();
    const errors = await run(opts.calls, Date.now() + opts.seconds * 1000, latencies);
    const elapsed = (performance.now() - started) / 1000;
    const cpuAfter = cpuSeconds(emulator.pid);

    latencies.sort((a, b) => a - b);
    const calls = latencies.length;
    const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
    console.log(
      `emulator bench: ${calls} signed SDK calls (8-way read mix), concurrency ${opts.concurrency}, loopback`,
    );
    console.log(`  throughput   ${Math.round(calls / elapsed)} calls/s over ${elapsed.toFixed(1)} s, ${errors} errors`);
    console.log(
      `  latency      p50 ${fmt(percentile(latencies, 50))}  p90 ${fmt(percentile(latencies, 90))}  p99 ${fmt(percentile(latencies, 99))}  max ${fmt(latencies[calls - 1])}`,
    );
    if (cpuBefore !== undefined && cpuAfter !== undefined && cpuAfter > cpuBefore) {
      const cpu = cpuAfter - cpuBefore;
      console.log(
        `  emulator CPU ${cpu.toFixed(2)} s = ${((cpu / calls) * 1e6).toFixed(0)} µs/call → ~${Math.round(calls / cpu)} calls/s per core ` +
          `(${Math.round((100 * cpu) / elapsed)}% of one core used; the rest of the time was spent by the SDK clients)`,
      );
    }
    if (errors > 0) process.exitCode = 1;
  } finally {
    await emulator.stop();
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
