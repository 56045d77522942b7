/**
 * Helpers for tests that run real workflows: a client and workers connected to the dev server of the global setup,
 * using the workflow bundle it built, and encrypting payloads as production does.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { type DataConverter, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, WorkerOptions } from '@temporalio/worker';
import { dataConverter, type PayloadCodecOptions, PayloadEncryptionCodec } from '../../config/codec';
import { readPayloadKeysFile } from '../../config/payload-keys';

export function testAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address)
    throw new Error('TEMPORAL_ADDRESS is not set: run the tests through jest (its global setup starts the server).');
  return address;
}

export function testNamespace(): string {
  return process.env.TEMPORAL_NAMESPACE || 'default';
}

/**
 * The payload keys of every test client and worker (OFFBOARD_PAYLOAD_KEYS of the workers and CLIs the tests start as
 * processes): a fixed key, for tests only, so that recorded histories (test/histories/) stay readable by the replay
 * test. Nothing outside test/ reads it.
 */
export const TEST_PAYLOAD_KEYS_PATH = join(__dirname, 'test-payload-keys.json');

/** The data converter of the tests' clients and workers: production's, over the test key. */
export function testDataConverter(options?: PayloadCodecOptions): DataConverter {
  return dataConverter({ payloadKeys: readPayloadKeysFile(TEST_PAYLOAD_KEYS_PATH) }, options);
}

/** The value of a payload read from a history (`fetchHistory()` gives them encrypted, as they are stored). */
export async function readPayload(payload: Payload): Promise<unknown> {
  const [decoded] = await new PayloadEncryptionCodec(readPayloadKeysFile(TEST_PAYLOAD_KEYS_PATH)).decode([payload]);
  return defaultPayloadConverter.fromPayload(decoded);
}

const openConnections: Array<{ close(): Promise<void> }> = [];

/**
 * A client on the test server, encrypting and decrypting like the worker; closed by `closeTestConnections()` (call
 * it in afterAll). `{ plain: true }`: a client without the codec, as someone with raw Temporal access has.
 */
export async function testClient(options: { plain?: boolean } = {}): Promise<Client> {
  const connection = await Connection.connect({ address: testAddress() });
  openConnections.push(connection);
  return new Client({
    connection,
    namespace: testNamespace(),
    ...(options.plain ? {} : { dataConverter: testDataConverter() }),
  });
}

export type TestWorkerOptions = Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath' | 'namespace'>;

let runtimeInstalled = false;

/** Workers log every state change at INFO; in tests only warnings and errors are worth reading. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(process.env.OFFBOARD_TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN') });
  } catch {
    // A connection made earlier in this process installed the default runtime: louder logs, same behaviour.
  }
}

/** A real worker on the test server, running the bundled workflows of `workflows/index.ts`. */
export async function createTestWorker(options: TestWorkerOptions): Promise<Worker> {
  installQuietRuntime();
  const codePath = process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('No workflow bundle: workflows/index.ts did not exist when the global setup ran.');
  const connection = await NativeConnection.connect({ address: testAddress() });
  openConnections.push(connection);
  return Worker.create({
    ...options,
    connection,
    namespace: testNamespace(),
    workflowBundle: { codePath },
    dataConverter: testDataConverter(),
  });
}

/** Each test gets its own task queue so that tests running in parallel never pick up each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function closeTestConnections(): Promise<void> {
  await Promise.all(openConnections.splice(0).map((c) => c.close()));
}
