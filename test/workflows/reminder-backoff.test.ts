/**
 * History bounds (issue 12): a wait nobody answers reminds at the chosen interval a dozen times, then each reminder
 * comes twice as late, so a run left Blocked (no deadline) or awaiting approval does not grow its history by a timer,
 * a workflow task and a notification every interval until Temporal terminates it. Read from the durations the
 * workflow gave its timers (what it chose, whatever the machine's speed), with the fast bounds' 1-second reminders.
 */
import { type WorkflowHandle } from '@temporalio/client';
import { OffboardingStage } from '../../common/stages';
import { reminderGapMs, REMINDERS_AT_CHOSEN_INTERVAL, PRODUCTION_TIMING } from '../../common/timing';
import { offboardInput, resetWorld, setWorkerClusterAccess, startOffboard, waitForStage } from './harness';
import { recordHistory } from './record';
import { useHarness } from './use-harness';

const h = useHarness('reminder-backoff');
beforeEach(() => resetWorld(h, ['alice']));
// The in-process worker notifies on its console: its reminders are not worth reading in the test output.
beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

const SECOND = 1_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The durations of the timers the run started, in order (its waits are the only timers an offboarding starts). */
async function timerDurations(handle: WorkflowHandle): Promise<number[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((e) => {
    const d = e.timerStartedEventAttributes?.startToFireTimeout;
    return d ? [Number(d.seconds ?? 0) * SECOND + Math.round((d.nanos ?? 0) / 1e6)] : [];
  });
}

/**
 * Waits until the run has started `count` timers, and returns the first `count` durations. The first timer counts
 * from the start of the wait, before the audit trail is written out (a local activity, which moves the workflow's
 * clock on), so it is a few milliseconds short of the interval; each next one counts from the reminder that went out.
 */
async function firstTimers(handle: WorkflowHandle, count: number): Promise<number[]> {
  let durations: number[] = [];
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    durations = await timerDurations(handle);
    if (durations.length >= count) {
      expect(durations[0]).toBeGreaterThan(0);
      expect(durations[0]).toBeLessThanOrEqual(SECOND);
      return [SECOND, ...durations.slice(1, count)];
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the run started ${durations.length} timers, not ${count}: ${durations.join(', ')}`);
}

/** Twelve at the chosen second, then 2 s, 4 s, 8 s: what a run nobody attends asks of its timers. */
const EXPECTED = [...Array<number>(REMINDERS_AT_CHOSEN_INTERVAL).fill(SECOND), 2 * SECOND, 4 * SECOND, 8 * SECOND];

test('a run left Blocked reminds every second a dozen times, then each reminder comes twice as late', async () => {
  await setWorkerClusterAccess(h.emulator, false);
  const { handle } = await startOffboard(h, offboardInput(h, 'alice', { blockedReminderEvery: '1s' }));
  await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  expect(await firstTimers(handle, EXPECTED.length)).toEqual(EXPECTED);
  const history = JSON.stringify(await handle.fetchHistory());
  expect(history).toContain('reminder-backoff');
  await recordHistory('blocked-reminder-backoff', handle);
  await handle.terminate('test done');
}, 90_000);

test('an approval nobody decides: the same schedule, within the approval deadline', async () => {
  const { handle } = await startOffboard(
    h,
    offboardInput(h, 'alice', { approvalReminderEvery: '1s', approvalExpiresAfter: '60s' }),
  );
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  expect(await firstTimers(handle, EXPECTED.length)).toEqual(EXPECTED);
  await handle.terminate('test done');
}, 90_000);

test('the schedule in production: hourly reminders slow to weekly, never faster than chosen', () => {
  const gaps = (everyMs: number, count: number) =>
    Array.from({ length: count }, (_, sent) => reminderGapMs(everyMs, sent, PRODUCTION_TIMING.reminderMaxMs));
  // Hourly: twelve at 1 h, then 2 h … 128 h, then the bounds' longest interval, 7 days, from then on.
  expect(gaps(HOUR, 22).map((ms) => ms / HOUR)).toEqual([
    ...Array<number>(12).fill(1),
    2,
    4,
    8,
    16,
    32,
    64,
    128,
    168,
    168,
    168,
  ]);
  // Weekly already: never faster than the run asked; a long-past threshold is still the ceiling, not Infinity.
  expect(gaps(7 * DAY, 14).every((ms) => ms === 7 * DAY)).toBe(true);
  expect(reminderGapMs(HOUR, 5_000, 7 * DAY)).toBe(7 * DAY);
  // The scheduled-deletion wait's single wake, longer than a week, is not cut short either.
  expect(reminderGapMs(300 * DAY, 40, 7 * DAY)).toBe(300 * DAY);
});
