/**
 * The benchmark's floor (scripts/bench/floor/): its figure means something only if a floor run is what an offboarding
 * run is to Temporal, minus the work. The shape is read from a recorded offboarding's way to its approval (up to the
 * timer it then waits on), run by the floor workflow on the real dev server, and the floor run's own history must
 * have the same events, in the same order, in the same workflow tasks.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { SearchAttributes } from '../../common/search-attributes';
import { OffboardingStage } from '../../common/stages';
import { bundleWorkflows } from '../../config/workflow-bundle';
import * as activities from '../../scripts/bench/floor/activities';
import { describeShape, parseShape, shapeOf, untilTheWait } from '../../scripts/bench/floor/shape';
import { testAddress, testNamespace } from '../support/temporal';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** A recorded offboarding's events up to the first timer (the run's wait for its approval), as the benchmark sees them. */
function recordedWayToApproval(): HistoryEvent[] {
  const json: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'histories', 'happy-path.json'), 'utf8'));
  return untilTheWait(temporal.api.history.v1.History.fromObject(json as Record<string, unknown>).events, EventType);
}

const types = (events: HistoryEvent[]) => events.map((e) => EventType[e.eventType ?? 0]);

test('the shape names each command of the run, and refuses an event it would not mirror', () => {
  const steps = shapeOf(recordedWayToApproval(), EventType);
  expect(describeShape(steps)).toBe('11 local activities, 1 activity, 2 search-attribute updates, 1 patch, 1 timer');
  expect(steps.slice(0, 5)).toEqual(['patch', 'local', 'upsert', 'local', 'activity']);
  const signalled = temporal.api.history.v1.HistoryEvent.fromObject({
    eventId: 9,
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  });
  const timer = temporal.api.history.v1.HistoryEvent.fromObject({
    eventId: 10,
    eventType: EventType.EVENT_TYPE_TIMER_STARTED,
  });
  expect(() => shapeOf([signalled, timer], EventType)).toThrow(
    'the floor cannot take the shape of event 9, EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
  );
});

test('a shape written out (--floor-shape) is read step by step, and a wrong one is refused naming the part', () => {
  expect(parseShape('activity, local*3,upsert,wait')).toEqual([
    'activity',
    'local',
    'local',
    'local',
    'upsert',
    'wait',
  ]);
  expect(() => parseShape('activity,sleep,upsert')).toThrow('--floor-shape: "sleep" is not one of');
  expect(() => parseShape('activity,wait')).toThrow('needs an upsert');
});

test('a floor run has the recorded run’s events, in the same order and workflow tasks, and ends at the approval stage', async () => {
  const recorded = recordedWayToApproval();
  const steps = shapeOf(recorded, EventType);
  const taskQueue = `floor-${randomUUID()}`;
  const native = await NativeConnection.connect({ address: testAddress() });
  const connection = await Connection.connect({ address: testAddress() });
  try {
    const worker = await Worker.create({
      connection: native,
      namespace: testNamespace(),
      taskQueue,
      activities,
      workflowBundle: await bundleWorkflows(
        new DefaultLogger('WARN'),
        require.resolve('../../scripts/bench/floor/workflows'),
      ),
    });
    const client = new Client({ connection, namespace: testNamespace() });
    const account = `floor-${randomUUID()}`;
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('floorRun', {
        taskQueue,
        workflowId: `floor/${account}/0`,
        args: [steps],
        typedSearchAttributes: [{ key: SearchAttributes.account, value: account }],
      });
      // The floor is done where the run was: its history ends with the timer it waits on.
      let events: HistoryEvent[] = [];
      for (let i = 0; i < 100 && events.at(-1)?.eventType !== EventType.EVENT_TYPE_TIMER_STARTED; i++) {
        await new Promise((r) => setTimeout(r, 100));
        events = (await handle.fetchHistory()).events ?? [];
      }
      expect(types(events)).toEqual(types(recorded));
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(SearchAttributes.stage)).toBe(OffboardingStage.AwaitingApproval);
      await handle.terminate('test done');
    });
  } finally {
    await connection.close();
    await native.close();
  }
}, 60_000);
