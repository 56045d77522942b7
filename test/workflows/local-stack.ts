/**
 * A whole local stack for the scripts that run outside jest (property soak, benchmark): the Temporal dev server
 * (TEMPORAL_ADDRESS, or one started on free ports), the emulator on a free port with its own account id, and an
 * in-process worker whose activities come from the production factory. Everything stops in `stop()`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, DefaultLogger } from '@temporalio/worker';
import { startEmulator } from '../../emulator';
import { scratchTemporalServer, stopProcess } from '../../scripts/local-temporal';
import { consoleNotifier } from '../../activities';
import { activitiesFromConfig } from '../../activities/from-config';
import { dataConverter } from '../../config/codec';
import { temporalClientOptions } from '../../config/temporal';
import { loadWorkerConfig, type WorkerConfig } from '../../config/worker';
import { makeTestTrust, type TestTrust } from '../support/trust';
import { fixtureWithOwnAccount, workerEnv } from './harness';

export interface LocalStack extends TestTrust {
  client: Client;
  taskQueue: string;
  accountId: string;
  config: WorkerConfig;
  emulator: Awaited<ReturnType<typeof startEmulator>>;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Changes the demo fixture before the emulator loads it (a generated account, say). */
  editFixture?: (fixture: Record<string, unknown>) => void;
  /** How long the emulator's clean tasks run (its default when absent). */
  taskDelayMs?: number;
}

export async function startLocalStack(
  log: (line: string) => void = console.log,
  options: LocalStackOptions = {},
): Promise<LocalStack> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const server = await scratchTemporalServer({ namespace, logDir: tmpdir(), logName: 'offboard-stack-temporal', log });
  const { address } = server;
  if (server.started) log(`Temporal dev server at ${address} (pid ${server.started.pid})`);
  const connection = await Connection.connect({ address });

  const { path, accountId } = fixtureWithOwnAccount(options.editFixture);
  const emulator = await startEmulator({ port: 0, fixturePath: path, taskDelayMs: options.taskDelayMs });
  const taskQueue = `local-stack-${process.pid}`;
  const trust = await makeTestTrust();
  const config = loadWorkerConfig(
    workerEnv(
      emulator.endpoint,
      accountId,
      mkdtempSync(join(tmpdir(), 'offboard-audit-')),
      taskQueue,
      trust.trustedKeysPath,
    ),
  );
  const client = new Client({ connection, ...temporalClientOptions({ ...config.temporal, namespace }) });
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue,
    dataConverter: dataConverter(config.temporal),
    activities: await activitiesFromConfig(config, { notifier: consoleNotifier(() => undefined) }),
    workflowsPath: require.resolve('../../workflows'),
  });
  const running = worker.run();
  return {
    ...trust,
    client,
    taskQueue,
    accountId,
    config,
    emulator,
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await emulator.close();
      if (server.started) await stopProcess(server.started.pid);
    },
  };
}
