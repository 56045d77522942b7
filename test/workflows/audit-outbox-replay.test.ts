/**
 * The audit outbox from several lanes at once (a sweep's lanes revoking orphans), replayed as a new worker replays a
 * run after its worker died. Local activities in flight together resume their callers in the order they finish when
 * first run, but in the order they were scheduled on replay; when the first-scheduled append finishes last, lanes that
 * each flush and then schedule their own command record those commands in one order and replay them in another: a
 * nondeterminism error, which a sweep in CI met. With one append at a time (the sweep's `oneAtATime`), the same lanes
 * replay cleanly. Real dev server, a worker of its own with a test workflow, and the SDK's own replayer.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DeterminismViolationError } from '@temporalio/workflow';
import { NativeConnection, Worker } from '@temporalio/worker';
import { type AuditAppended, type AuditBatch } from '../../activities/audit';
import { testAddress, testNamespace } from '../support/temporal';

const workflowsPath = require.resolve('./outbox/concurrent-flushes');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gates = new Map<string, { opened: Promise<void>; open: () => void }>();
function gateOf(workflowId: string) {
  let gate = gates.get(workflowId);
  if (!gate) {
    let open = () => {};
    const opened = new Promise<void>((r) => (open = r));
    gate = { opened, open };
    gates.set(workflowId, gate);
  }
  return gate;
}
const taskQueue = `outbox-replay-${randomUUID()}`;
let connection: Connection;
let client: Client;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  connection = await Connection.connect({ address: testAddress() });
  client = new Client({ connection, namespace: testNamespace() });
  native = await NativeConnection.connect({ address: testAddress() });
  worker = await Worker.create({
    connection: native,
    namespace: testNamespace(),
    taskQueue,
    workflowsPath,
    activities: {
      // The append that carries the last lane's entry answers first; the others wait for it (or 3 s, when it cannot
      // come before them: one append at a time), then answer.
      async appendAudit(batch: AuditBatch): Promise<AuditAppended> {
        const lastSeq = batch.firstSeq + batch.entries.length - 1;
        const gate = gateOf(batch.workflowId);
        if (lastSeq === 3) gate.open();
        else await Promise.race([gate.opened.then(() => sleep(300)), sleep(3_000)]);
        return { location: 'test', lastSeq };
      },
      async laneA() {},
      async laneB() {},
    },
  });
  running = worker.run();
}, 60_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  await native?.close();
  await connection?.close();
});

async function runAndReplay(oneAtATime: boolean): Promise<{ back: string[]; replay: unknown }> {
  const handle = await client.workflow.start('concurrentFlushes', {
    taskQueue,
    workflowId: `concurrent-flushes-${oneAtATime}-${randomUUID()}`,
    args: [oneAtATime],
  });
  const back = (await handle.result()) as string[];
  const history = await handle.fetchHistory();
  const replay = await Worker.runReplayHistory({ workflowsPath }, history, handle.workflowId).then(
    () => undefined,
    (err: unknown) => err,
  );
  return { back, replay };
}

test('concurrent appends resume the lanes in another order on replay: a nondeterminism error', async () => {
  const { back, replay } = await runAndReplay(false);
  expect(back[0]).toBe('lane 2'); // the last-scheduled append answered first
  expect(replay).toBeInstanceOf(DeterminismViolationError);
});

test('one append at a time: the lanes come back in one order, and the run replays cleanly', async () => {
  const { back, replay } = await runAndReplay(true);
  expect(back).toHaveLength(3);
  expect(replay).toBeUndefined();
});
