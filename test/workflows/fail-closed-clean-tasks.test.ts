/**
 * The asynchronous clean task (issue 13, items 3 and 4): a task that ends in failure, times out or is cancelled is a
 * failed clean, and a retry issues a new one; a rescind that arrives while the task runs waits for it to end before
 * access is given back, so the task cannot wipe the restored grants.
 */
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
import {
  emulatorState,
  journal,
  offboardInput,
  resetWorld,
  rootCs,
  setFaults,
  startOffboard,
  successes,
  waitForStage,
} from './harness';
import { aliceOf } from './outside-changes';
import { useHarness } from './use-harness';

// Clean tasks take long enough here for a rescind to arrive while one runs.
const h = useHarness('fail-closed-clean-tasks', { taskDelayMs: 1_500 });
beforeEach(() => resetWorld(h, ['alice']));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.each([
  ['task-fail', 'fail'],
  ['task-timeout', 'timeout'],
  ['task-canceled', 'canceled'],
])(
  'item 3: a clean task that ends %s is a failed clean; the retry issues a new clean instead of re-polling the dead task',
  async (kind, state) => {
    await setFaults(h.emulator, { rules: [{ action: 'CleanUserPermissions', kind, count: 1 }] });
    const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
    const blocked = await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
    expect(blocked.blocked).toMatchObject({ failureType: 'CleanTaskFailed' });
    expect(blocked.blocked?.message).toContain(`ended ${state}`);

    await decide(h, handle, 'retry', { reason: 'cluster fixed' }, people.dave);
    await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
    const entries = await journal(h.emulator);
    const cleans = successes(entries, 'CleanUserPermissions');
    expect(cleans).toHaveLength(2);
    const [dead, fresh] = cleans.map((e) => (e.response as { task_id: string }).task_id);
    expect(fresh).not.toBe(dead);
    expect(
      successes(entries, 'DescribeTaskInfo').some(
        (e) =>
          (e.response as { task_id?: string; state?: string }).task_id === fresh &&
          (e.response as { state?: string }).state === 'success',
      ),
    ).toBe(true);
    await handle.terminate('test done');
  },
);

test('item 4: a rescind while the clean task runs waits for the task to end, then restores the grants for good', async () => {
  // The clean call answers late: the rescind arrives while it runs, so the task is still running when it returns.
  // The clean is a local activity: the run takes in the rescind when its workflow task heartbeats (at 80% of the
  // task's 10 s timeout), hence an answer later than that.
  await setFaults(h.emulator, {
    rules: [{ action: 'CleanUserPermissions', kind: 'latency', latencyMs: 9_500, count: 1 }],
  });
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  // The quarantine is done once its login profile is gone: the clean is asked for right after.
  for (let i = 0; i < 300 && successes(await journal(h.emulator), 'DeleteLoginProfile').length === 0; i++) {
    await sleep(100);
  }
  await decide(h, handle, 'rescind', { reason: 'rehired before her last day' }, people.hrJane);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Rescinded);

  // Let the task land if it has not (it lands on the emulator's clock), then look at what it left.
  const cs = rootCs(h.emulator);
  const taskId = (successes(await journal(h.emulator), 'CleanUserPermissions')[0].response as { task_id: string })
    .task_id;
  for (;;) {
    const task = await cs.describeTaskInfo(taskId);
    if (task.body?.state !== 'running') break;
    await sleep(200);
  }
  const state = await emulatorState(h.emulator);
  expect((state.grants as Record<string, unknown[]>)[aliceOf(h.emulator).uid]).toHaveLength(2);
  const entries = await journal(h.emulator);
  const regrant = successes(entries, 'GrantPermissions')[0];
  const taskEnded = successes(entries, 'DescribeTaskInfo').find(
    (e) => (e.response as { state?: string }).state !== 'running',
  );
  expect(taskEnded).toBeDefined();
  expect(regrant.seq).toBeGreaterThan(taskEnded!.seq);
  // The run itself followed the task to its end before restoring access.
  expect(taskEnded!.caller.identity).toBe('user/offboarding-bot');
});
