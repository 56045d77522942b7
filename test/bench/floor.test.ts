/**
 * The benchmark's floor (scripts/bench/floor/): its figure means something only if a floor run is what an offboarding
 * run is to Temporal, minus the work. The shape is read from a recorded offboarding's way to its approval (up to the
 * timer it then waits on), run by the floor workflow on the real dev server, started as the benchmark starts it, and
 * the floor run's own history must have the same events, in the same order, in the same workflow tasks.
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
import { describeShape, eventTypeNames, parseShape, shapeOf, untilTheWait } from '../../scripts/bench/floor/shape';
import { floorWorkflowId, startFloorRun } from '../../scripts/bench/floor/start';
import { testAddress, testNamespace } from '../support/temporal';

const { EventType } = temporal.api.enums.v1;
const { HistoryEvent } = temporal.api.history.v1;

/** A recorded offboarding's events up to the first timer (the run's wait for its approval), as the benchmark sees them. */
function recordedWayToApproval(): temporal.api.history.v1.IHistoryEvent[] {
  const json: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'histories', 'happy-path.json'), 'utf8'));
  return untilTheWait(temporal.api.history.v1.History.fromObject(json as Record<string, unknown>).events);
}

test('the shape names each command of the run, and refuses an event it would not mirror', () => {
  const steps = shapeOf(recordedWayToApproval());
  expect(describeShape(steps)).toBe('11 local activities, 1 activity, 2 search-attribute updates, 1 patch, 1 timer');
  // The SDK's own TemporalChangeVersion update after the patch marker is the patch's, not a step of the run.
  expect(steps.slice(0, 5)).toEqual(['patch', 'local', 'upsert', 'local', 'activity']);
  const timer = HistoryEvent.fromObject({ eventId: 10, eventType: EventType.EVENT_TYPE_TIMER_STARTED });
  const signalled = HistoryEvent.fromObject({
    eventId: 9,
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  });
  expect(() => shapeOf([signalled, timer])).toThrow(
    'the floor cannot take the shape of event 9, EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
  );
  const sideEffect = HistoryEvent.fromObject({
    eventId: 8,
    eventType: EventType.EVENT_TYPE_MARKER_RECORDED,
    markerRecordedEventAttributes: { markerName: 'core_side_effect' },
  });
  expect(() => shapeOf([sideEffect, timer])).toThrow('the floor cannot take the shape of a core_side_effect marker');
  expect(() => shapeOf([signalled])).toThrow('the run has started no timer');
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
      await startFloorRun(client, { taskQueue, account, index: 0, steps: shapeOf(recorded) });
      const handle = client.workflow.getHandle(floorWorkflowId(account, 0));
      // The floor is done where the run was: its history ends with the timer it waits on.
      let events: temporal.api.history.v1.IHistoryEvent[] = [];
      const deadline = Date.now() + 20_000;
      while (events.at(-1)?.eventType !== EventType.EVENT_TYPE_TIMER_STARTED) {
        if (Date.now() > deadline) throw new Error(`no timer after 20 s: ${eventTypeNames(events).join(' ')}`);
        await new Promise((r) => setTimeout(r, 100));
        events = (await handle.fetchHistory()).events ?? [];
      }
      expect(eventTypeNames(events)).toEqual(eventTypeNames(recorded));
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(SearchAttributes.stage)).toBe(OffboardingStage.AwaitingApproval);
      await handle.terminate('test done');
    });
  } finally {
    await connection.close();
    await native.close();
  }
}, 60_000);
