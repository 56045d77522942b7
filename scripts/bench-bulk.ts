/**
 * Offboarding at scale, measured with the real parts as separate processes: the Temporal dev server, the emulator and
 * the worker. N generated departing users (kubeconfigs on two clusters, last used 30 days ago,
 * so no 7-day refusal waits for an admin) are offboarded at once to AwaitingApproval; then the emulator is reset and
 * a careful sequential SDK script (scripts/bench/sequential-offboard.ts) does the same Alibaba calls one identity after
 * another. Prints wall time, identities/s, CPU seconds per process, the worker's peak RSS, history events per run and
 * the ratio to the script. Then the floor (scripts/bench/floor/): the same server and SDK running N runs of the same
 * shape, read from one run's history, with no work in any step, so that what Temporal costs on this machine stands
 * beside what the offboarding costs (`--no-floor` leaves it out; `--floor-shape activity,upsert,wait` measures
 * another shape, scripts/bench/floor/shape.ts).
 *   npm run bench:bulk -- --identities 1000 [--concurrency 32] [--sequential N] [--workers 2] [--in-flight 100]
 *   npm run bench:bulk -- --pending 10000 [--in-flight 200]   # memory and `list --stage AwaitingApproval` with N waiting
 *   npm run bench:bulk -- --quota [--quotas ram-write=20,…]   # Alibaba's quotas on (scripts/bench/quota.ts)
 *   npm run bench:bulk -- --identities 200 --cpu-prof DIR   # each worker's CPU profile (.cpuprofile) into DIR
 * `--workers N` runs N worker processes on the one task queue (CPU and peak RSS of each). `--quota` switches the
 * emulator's quota model on with the documented figures (`--quotas` over them), the workers' rate limits sharing the
 * same figures, and prints the throttling errors the emulator counted and the wall time against the quota's bound;
 * the sequential script is then left out unless `--sequential` asks for it (it would run without quotas).
 * The stack is scripts/bench/process-stack.ts: TEMPORAL_ADDRESS when set (its CPU is then not measured), otherwise a
 * dev server of its own; the workers as in the production image, node on the compiled JavaScript with one prebuilt
 * workflow bundle (`--tsx`: under tsx, as `npm run worker` does).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Credential, { Config as CredentialConfig } from '@alicloud/credentials';
import { createAlibabaClients } from '../activities/alibaba';
import { mapBounded } from '../common/map-bounded';
import { OffboardingStage } from '../common/stages';
import { intakeHoldFor } from '../server/temporal/intake-hold';
import { listRuns } from '../server/temporal/list';
import { departingUserNames, departingUsersFixture } from '../test/workflows/departing-users';
import { offboardInput, startOffboard } from '../test/workflows/harness';
import { cpuSeconds, ownCpuSeconds, peakRss, rssBreakdownMiB, rssMiB } from './bench/processes';
import {
  benchQuotas,
  distinctCalls,
  quotaLoads,
  quotaReport,
  readJournal,
  readQuotaTally,
  setEmulatorQuotas,
  workerShare,
} from './bench/quota';
import { startProcessStack } from './bench/process-stack';
import { sequentialOffboard } from './bench/sequential-offboard';
import { type FloorResult, measureFloor } from './bench/floor/measure';
import { describeShape, parseShape } from './bench/floor/shape';
import { atTheApprovalQuery } from './bench/floor/start';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function text(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function arg(name: string): number | undefined {
  const value = text(name);
  return value === undefined ? undefined : Number(value);
}

function departingAccount(identities: number): { path: string; accountId: string; names: string[] } {
  const accountId = `8${String(Date.now()).padStart(15, '0')}`;
  const path = join(mkdtempSync(join(tmpdir(), 'offboard-bulk-')), 'fixture.json');
  writeFileSync(path, JSON.stringify(departingUsersFixture(identities, accountId)));
  return { path, accountId, names: departingUserNames(identities) };
}

/** The benchmark; `stops` gets the stop of each process or connection as it starts (run in reverse, even on a failure). */
async function run(stops: Array<() => unknown>): Promise<void> {
  const pending = arg('pending');
  const identities = pending ?? arg('identities') ?? 1000;
  const concurrency = arg('concurrency') ?? 32;
  const workers = arg('workers') ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers: a whole number of 1 or more');
  const quotaSpec = text('quotas');
  const quotas = process.argv.includes('--quota') || quotaSpec !== undefined ? benchQuotas(quotaSpec) : undefined;
  const floorShapeText = text('floor-shape');
  const floorShape = floorShapeText === undefined ? undefined : parseShape(floorShapeText);
  const cpuProfileDir = text('cpu-prof');
  if (cpuProfileDir && pending)
    throw new Error('--cpu-prof: not with --pending, whose figures need the workers running');
  const measuresFloor = !pending && !quotas && !cpuProfileDir && !process.argv.includes('--no-floor');
  if (floorShape && !measuresFloor)
    throw new Error(
      '--floor-shape: the floor is measured after a plain bulk only (not with --pending, --quota, --cpu-prof or --no-floor)',
    );
  const sequentialCount = pending ? 0 : (arg('sequential') ?? (quotas ? 0 : identities));

  const account = departingAccount(identities);
  const stack = await startProcessStack(
    {
      name: 'bench-bulk',
      fixturePath: account.path,
      accountId: account.accountId,
      // Without --quota the emulator has no quota model switched on: the workers' own limits would measure themselves,
      // not the run. With it, the workers share the emulator's figures.
      workerEnv: { OFFBOARD_ALIBABA_RATE_LIMITS: quotas ? workerShare(quotas, workers) : 'off' },
      tsx: process.argv.includes('--tsx'),
    },
    stops,
  );
  const { client, config, emulator, trust, taskQueue, serverPid } = stack;
  if (quotas) await setEmulatorQuotas(emulator.url, quotas);
  const nodeArgs = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const workerProcesses = await stack.startWorkers(workers, nodeArgs);
  const workerPids = workerProcesses.map((w) => w.child.pid as number);
  const h = { client, taskQueue, config, signer: trust.signer, accountId: account.accountId };

  const workerKeys = workerPids.map((_, i) => `worker ${i + 1}`);
  const pids: Record<string, number | undefined> = {
    server: serverPid,
    ...Object.fromEntries(workerKeys.map((k, i) => [k, workerPids[i]])),
    emulator: emulator.pid,
  };
  const cpu = (): Record<string, number> => {
    const each: Record<string, number> = Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => [k, pid ? cpuSeconds(pid) : NaN]),
    );
    // `worker`: all workers together, the figure earlier single-worker runs printed; `bench`: this process (the
    // starts, their signing and encryption, the counts).
    return {
      ...each,
      worker: workerKeys.reduce((sum, k) => sum + each[k], 0),
      bench: ownCpuSeconds(),
    };
  };
  console.log(
    `${identities} departing users (generated: login profile, kubeconfigs on 2 clusters), ${concurrency} starts at a time; ` +
      `emulator clean task 300 ms; dev server, emulator and ${workers === 1 ? 'worker' : `${workers} workers`} as separate processes on ${cpus().length} cores; ` +
      `workers ${stack.compiled ? 'run compiled (node, no tsx) and ' : 'run under tsx and '}load one prebuilt workflow bundle, as the production image's do`,
  );
  if (quotas) {
    console.log(
      `quotas (calls per second per API per account): ${Object.entries(quotas)
        .map(([k, n]) => `${k}=${n}`)
        .join(' ')}`,
    );
  }
  const tally0 = quotas ? await readQuotaTally(emulator.url) : undefined;
  const seq0 = quotas ? ((await readJournal(emulator.url)).at(-1)?.seq ?? 0) : 0;
  const cpu0 = cpu();
  const rss = workerPids.map((pid) => peakRss(pid));
  const query = atTheApprovalQuery(account.accountId);
  // Starts are held back while `inFlight` runs are on their way to the approval, by the API's own hold
  // (OFFBOARD_BATCH_IN_FLIGHT, server/temporal/intake-hold.ts), so that they fit in the worker's cache (a smaller cache
  // than the runs busy at once makes every evicted run replay its history at its next task: README, Sizing the
  // worker). --pending always holds them (200 by default); a bulk only with --in-flight.
  const inFlight = arg('in-flight') ?? (pending ? 200 : Infinity);
  const hold =
    inFlight < Infinity
      ? intakeHoldFor(async () => client, config.temporal, account.accountId, { limit: inFlight, maxWaitMs: 3_600_000 })
      : undefined;
  const t0 = performance.now();
  await mapBounded(account.names, concurrency, async (name) => {
    if (hold) await hold.room(hold.deadlineFromNow());
    await startOffboard(h, offboardInput(h, name, { approvalReminderEvery: '24h', approvalExpiresAfter: '7d' }));
  });
  const startedAt = performance.now();
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count >= identities) break;
    await sleep(250);
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = cpu();
  const peaks = rss.map((r) => r.stop());
  const sample = client.workflow.getHandle(`offboard/${account.accountId}/user/${account.names[0]}`);
  const events = (await sample.describe()).historyLength;
  const cpuOf = (k: string) => (cpu1[k] - cpu0[k]).toFixed(1);
  const fmtCpu = (k: string) => `${k} ${cpuOf(k)} s`;
  console.log(
    `\nbulk: ${identities} offboardings start → AwaitingApproval in ${wall.toFixed(1)} s` +
      (inFlight < Infinity ? ` (starts held to ${inFlight} on their way at once)` : ''),
  );
  console.log(
    `  ${(identities / wall).toFixed(1)} identities/s; all started after ${((startedAt - t0) / 1000).toFixed(1)} s`,
  );
  console.log(`  CPU: ${['server', 'worker', 'emulator'].map(fmtCpu).join(', ')}, this script ${cpuOf('bench')} s`);
  console.log(
    `  worker peak RSS ${Math.max(...peaks).toFixed(0)} MiB${workers > 1 ? ` (the largest of ${workers})` : ''}; history events per run ${events}`,
  );
  if (workers > 1) {
    console.log(
      `  per worker: ${workerKeys.map((k, i) => `${k}: CPU ${cpuOf(k)} s, peak RSS ${peaks[i].toFixed(0)} MiB`).join('; ')}`,
    );
  }
  if (tally0) {
    const distinct = distinctCalls(await readJournal(emulator.url, seq0));
    for (const line of quotaReport(quotaLoads(tally0, await readQuotaTally(emulator.url), distinct), wall, workers)) {
      console.log(line);
    }
  }

  if (cpuProfileDir) {
    // Node writes the profile when the worker exits; a SIGTERM lets it shut down and exit on its own.
    await Promise.all(
      workerProcesses.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 120_000);
            child.on('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    console.log(`\nworker CPU profiles (from the workers' start to this point) in ${cpuProfileDir}`);
  }

  let floor: FloorResult | undefined;
  if (measuresFloor) {
    try {
      floor = await measureFloor(stack, {
        runs: identities,
        concurrency,
        sampleWorkflowId: sample.workflowId,
        pollMs: 250,
        deadlineMs: Math.max(5 * wall, 120) * 1000,
        shape: floorShape,
      });
    } catch (err) {
      // The bulk's figures are printed; the script's still follow.
      console.log(`\nfloor: not measured: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (floor) {
    console.log(
      `\nfloor: the same server and SDK running ${identities} runs of ${floorShape ? 'the shape given' : 'the same shape'} with no work (${describeShape(floor.steps)}; ` +
        `no codec, no Alibaba call), a worker of their own: ${floor.wallSeconds.toFixed(1)} s`,
    );
    console.log(
      `  CPU: server ${floor.cpu.server.toFixed(1)} s, worker ${floor.cpu.worker.toFixed(1)} s, this script ${floor.cpu.bench.toFixed(1)} s; history events per run ${floor.events}`,
    );
    console.log(`  the bulk run took ${(wall / floor.wallSeconds).toFixed(2)}× the floor`);
  }

  if (pending) {
    await sleep(10_000);
    console.log(
      `\npending: ${identities} runs waiting for approval (started with at most ${inFlight} on their way at once); worker RSS after 10 s ${workerPids.map((pid) => rssMiB(pid).toFixed(0)).join(' + ')} MiB`,
    );
    for (const pid of workerPids) {
      const parts = rssBreakdownMiB(pid);
      console.log(
        `  worker ${pid}: V8 heap pages ${parts.v8Pages.toFixed(0)}, other anonymous (malloc arenas, stacks, the core) ${parts.otherAnonymous.toFixed(0)}, brk heap ${parts.brkHeap.toFixed(0)}, files ${parts.files.toFixed(0)} MiB`,
      );
    }
    const l0 = performance.now();
    const { runs } = await listRuns(client, config.temporal, {
      accountId: account.accountId,
      stage: OffboardingStage.AwaitingApproval,
      limit: 50,
    });
    console.log(
      `  list --stage AwaitingApproval (the API's query, first 50 of ${identities}): ${(performance.now() - l0).toFixed(0)} ms, ${runs.length} rows`,
    );
  }

  if (sequentialCount > 0) {
    await emulator.reset();
    const key = config.alibaba.fixtureKey;
    if (!key) throw new Error('no fixture key in emulator mode');
    const clients = createAlibabaClients({
      csEndpoint: emulator.endpoint,
      ramEndpoint: emulator.endpoint,
      protocol: 'http',
      region: 'cn-hangzhou',
      credential: new Credential(
        new CredentialConfig({
          type: 'access_key',
          accessKeyId: key.accessKeyId,
          accessKeySecret: key.accessKeySecret,
        }),
      ),
    });
    const s0 = performance.now();
    const calls = await sequentialOffboard(clients, account.names.slice(0, sequentialCount));
    const seq = (performance.now() - s0) / 1000;
    const perIdentity = seq / sequentialCount;
    console.log(
      `\nsequential SDK script: ${sequentialCount} identities in ${seq.toFixed(1)} s (${calls} calls, ${(perIdentity * 1000).toFixed(0)} ms per identity)`,
    );
    const sequentialFull = perIdentity * identities;
    console.log(
      `  ratio: the bulk run is ${(sequentialFull / wall).toFixed(1)}× faster than the script` +
        (sequentialCount < identities ? ` (script extrapolated from ${sequentialCount} to ${identities})` : ''),
    );
    if (floor) console.log(`  at the floor it would be ${(sequentialFull / floor.wallSeconds).toFixed(1)}×`);
  }
}

async function main(): Promise<void> {
  const stops: Array<() => unknown> = [];
  try {
    await run(stops);
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
