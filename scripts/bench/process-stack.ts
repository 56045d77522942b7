/**
 * The stack the benchmarks measure, each part a process of its own as in production, so that each one's CPU and
 * memory are its own and none waits on another's event loop: the Temporal dev server (or TEMPORAL_ADDRESS when set;
 * its CPU is then not measured), the emulator (emulator-process.ts), and workers started on demand — node on the
 * compiled JavaScript, each loading one workflow bundle built before them, with the image's node flags and
 * environment, as the production image runs them (compiled.ts; `tsx: true` runs them under tsx, as `npm run worker`
 * does). A worker that bundles at start keeps about 130 MiB more RSS, and several bundling at once on 2 cores can
 * outlast their 30 s to start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporalClientOptions } from '../../config/temporal';
import { loadWorkerConfig, type WorkerConfig } from '../../config/worker';
import { makeTestTrust, type TestTrust } from '../../test/support/trust';
import { workerEnv } from '../../test/workflows/harness';
import { killAllWorkers, startWorkerProcess, type WorkerProcess } from '../../test/workflows/worker-process';
import { writeWorkflowBundle } from '../build-workflow-bundle';
import { scratchTemporalServer, stopProcess } from '../local-temporal';
import { type CompiledRepository, compileRepository } from './compiled';
import { type EmulatorProcess, startEmulatorProcess } from './emulator-process';

export interface ProcessStackOptions {
  /** Names the task queue and the temporary files (`bench-bulk`, `bench-leak`). */
  name: string;
  fixturePath: string;
  accountId: string;
  /** Added to the workers' environment. */
  workerEnv?: Record<string, string>;
  /** Workers under tsx instead of compiled. */
  tsx?: boolean;
}

export interface ProcessStack {
  address: string;
  /** The dev server's pid when this stack started it. */
  serverPid: number | undefined;
  emulator: EmulatorProcess;
  trust: TestTrust;
  /** The key the API signs with (the one the workers trust). */
  key: TestTrust['key'];
  taskQueue: string;
  accountId: string;
  /** The workers' environment, and their configuration read from it. */
  env: Record<string, string>;
  config: WorkerConfig;
  client: Client;
  /** The compiled repository (unless `tsx`): the workers run it, and an API may. */
  compiled: CompiledRepository | undefined;
  /**
   * Production's credentials variables with the fixture's key, for compiled processes (in the workers' `env`): they
   * have no demo fixture beside them to take the key from. Empty under tsx.
   */
  credentialsEnv: Record<string, string>;
  startWorkers(count: number, nodeArgs?: string[]): Promise<WorkerProcess[]>;
  /** The floor's worker (scripts/bench/floor/worker.ts) on `taskQueue`, started as the workers are. */
  startFloorWorker(taskQueue: string): Promise<WorkerProcess>;
}

/** Starts the stack; `stops` gets the stop of each process or connection as it starts (run them in reverse). */
export async function startProcessStack(
  options: ProcessStackOptions,
  stops: Array<() => unknown>,
): Promise<ProcessStack> {
  const server = await scratchTemporalServer({ logDir: tmpdir(), logName: `offboard-${options.name}-temporal` });
  const { address } = server;
  const serverPid = server.started?.pid;
  if (serverPid) stops.push(() => stopProcess(serverPid));
  const emulator = await startEmulatorProcess(options.fixturePath);
  stops.push(() => emulator.kill());
  const trust = await makeTestTrust();
  const taskQueue = `${options.name}-${process.pid}`;
  const env: Record<string, string> = {
    ...workerEnv(
      emulator.endpoint,
      options.accountId,
      mkdtempSync(join(tmpdir(), 'offboard-audit-')),
      taskQueue,
      trust.trustedKeysPath,
    ),
    TEMPORAL_ADDRESS: address,
    ...options.workerEnv,
  };
  const config = loadWorkerConfig(env);
  const connection = await Connection.connect({ address });
  stops.push(() => connection.close());
  const client = new Client({ connection, ...temporalClientOptions(config.temporal) });

  const bundle = join(mkdtempSync(join(tmpdir(), `offboard-${options.name}-bundle-`)), 'workflow-bundle.js');
  await writeWorkflowBundle(bundle);
  process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE = bundle; // what startWorkerProcess hands its workers
  stops.push(killAllWorkers);
  const compiled = options.tsx ? undefined : await compileRepository();
  const fixtureKey = config.alibaba.fixtureKey;
  const credentialsEnv: Record<string, string> =
    compiled && fixtureKey
      ? {
          ALIBABA_CLOUD_ACCESS_KEY_ID: fixtureKey.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: fixtureKey.accessKeySecret,
        }
      : {};
  Object.assign(env, credentialsEnv);
  return {
    address,
    serverPid,
    emulator,
    trust,
    key: trust.key,
    taskQueue,
    accountId: options.accountId,
    env,
    config,
    client,
    compiled,
    credentialsEnv,
    startWorkers: (count, nodeArgs = []) =>
      Promise.all(
        Array.from({ length: count }, () =>
          compiled
            ? startWorkerProcess(
                { ...compiled.workerRuntime.env, ...env },
                { nodeArgs: [...compiled.workerRuntime.nodeArgs, ...nodeArgs], compiledMain: compiled.workerMain },
              )
            : startWorkerProcess(env, { nodeArgs }),
        ),
      ),
    startFloorWorker: (floorTaskQueue) => {
      // The stack's Temporal settings (address, namespace, TLS, keys), on a task queue of the floor's own.
      const floorEnv = { ...env, TEMPORAL_TASK_QUEUE: floorTaskQueue };
      return compiled
        ? startWorkerProcess(
            { ...compiled.workerRuntime.env, ...floorEnv },
            { nodeArgs: compiled.workerRuntime.nodeArgs, compiledMain: compiled.floorWorkerMain },
          )
        : startWorkerProcess(floorEnv, { script: require.resolve('./floor/worker') });
    },
  };
}
