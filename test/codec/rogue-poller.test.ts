/**
 * Someone with raw write access to the namespace, but not the payload keys, cannot make our worker act. They start a
 * workflow of their own, poll its workflow task themselves, and answer it with a command that schedules one of our
 * activities (deactivate alice's access key) on our worker's task queue: the worker refuses the plaintext input and
 * Alibaba Cloud is never called. The same command with an input encrypted under our key is carried out: the payload
 * key is exactly what separates a principal who may act from one who may not, and it stays with the worker and the
 * API server.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { PayloadEncryptionCodec } from '../../config/codec';
import { readPayloadKeysFile } from '../../config/payload-keys';
import { TEST_PAYLOAD_KEYS_PATH, testNamespace, uniqueTaskQueue } from '../support/temporal';
import { emulatorState, journal, resetWorld } from '../workflows/harness';
import { useHarness } from '../workflows/use-harness';

const h = useHarness('rogue');
let connection: Connection;
beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
});
afterAll(() => connection?.close());
beforeEach(() => resetWorld(h, ['alice']));

const { EventType, CommandType, TaskQueueKind } = temporal.api.enums.v1;
const aliceKey = { userName: 'alice', accessKeyId: 'LTAIdemoAlice000000001' };

async function aliceKeyStatus(): Promise<string | undefined> {
  const users = (await emulatorState(h.emulator)).users as Array<{
    name: string;
    accessKeys: Array<{ id: string; status: string }>;
  }>;
  return users.find((u) => u.name === 'alice')?.accessKeys.find((k) => k.id === aliceKey.accessKeyId)?.status;
}

/**
 * As a rogue worker would: start a run on a queue of one's own, take its first workflow task, and answer it by
 * scheduling `deactivateAccessKey(input)` on our worker's task queue; returns how that activity ended.
 */
async function scheduleOnOurWorker(input: Payload): Promise<'completed' | 'failed'> {
  const namespace = testNamespace();
  const rogueQueue = uniqueTaskQueue('rogue-own');
  const plain = new Client({ connection, namespace }); // no codec: the rogue has no keys
  const workflowId = `rogue-${randomUUID()}`;
  await plain.workflow.start('whatever', { workflowId, taskQueue: rogueQueue, args: [] });
  const task = await connection.withDeadline(Date.now() + 20_000, () =>
    connection.workflowService.pollWorkflowTaskQueue({
      namespace,
      taskQueue: { name: rogueQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      identity: 'rogue',
    }),
  );
  await connection.workflowService.respondWorkflowTaskCompleted({
    namespace,
    taskToken: task.taskToken,
    identity: 'rogue',
    commands: [
      {
        commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
        scheduleActivityTaskCommandAttributes: {
          activityId: '1',
          activityType: { name: 'deactivateAccessKey' },
          taskQueue: { name: h.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          input: { payloads: [input] },
          startToCloseTimeout: msToTs(20_000),
          retryPolicy: { maximumAttempts: 1 },
        },
      },
    ],
  });
  const handle = plain.workflow.getHandle(workflowId);
  const deadline = Date.now() + 30_000;
  try {
    while (Date.now() < deadline) {
      const { events } = await handle.fetchHistory();
      for (const event of events ?? []) {
        if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) return 'completed';
        if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED) return 'failed';
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('the scheduled activity neither completed nor failed');
  } finally {
    await handle.terminate('test finished');
  }
}

test('without the payload key, a rogue poller cannot make our worker call Alibaba Cloud', async () => {
  const callsBefore = (await journal(h.emulator)).length;
  expect(await scheduleOnOurWorker(defaultPayloadConverter.toPayload(aliceKey))).toBe('failed');
  expect(await aliceKeyStatus()).toBe('Active');
  expect((await journal(h.emulator)).length).toBe(callsBefore);
});

test('the same command with an input encrypted under our key is carried out: the key is the capability', async () => {
  const codec = new PayloadEncryptionCodec(readPayloadKeysFile(TEST_PAYLOAD_KEYS_PATH));
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(aliceKey)]);
  expect(await scheduleOnOurWorker(encrypted)).toBe('completed');
  expect(await aliceKeyStatus()).toBe('Inactive');
});
