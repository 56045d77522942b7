/**
 * Bounds on every duration and date, and clean free text (issue 13 item 9): refused with the field and the rule
 * before anything changes — by the start helper, and by the workflow itself for a run started around it.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { offboardWorkflowId } from '../../common/ids';
import { checkOffboardInput } from '../../common/inputs';
import { offboardStaticDetails } from '../../common/presentation';
import { clampMs, FAST_TIMING, parseIsoWithOffset, PRODUCTION_TIMING } from '../../common/timing';
import { loadTimingBounds, loadWorkerConfig } from '../../config/worker';
import { type OffboardIdentityInput } from '../../common/types';
import { people } from '../support/trust';
import { journal, offboardInput } from './harness';
import { useHarness } from './use-harness';

const h = useHarness('bounds');

const DAY = 86_400_000;
const base: OffboardIdentityInput = {
  accountId: '1234567890123456',
  target: { type: 'user', name: 'alice' },
  requestedBy: 'hr-jane',
  reason: 'departure',
  authorization: 'signed elsewhere',
};

/** The fields refused for `extra` under the production bounds (what the CLI and the API apply). */
function refused(extra: Partial<OffboardIdentityInput>): string[] {
  return checkOffboardInput({ ...base, ...extra }).map((p) => p.field);
}

test('item 9: durations, dates and free text are bounded in production: reminders 1 h–7 d, expiry ≤ 30 d, deleteNotBefore within a year with an explicit offset and a real calendar date', () => {
  const inDays = (days: number, offset = 'Z') => {
    const iso = new Date(Date.now() + days * DAY).toISOString().slice(0, 19);
    return `${iso}${offset}`;
  };
  // Accepted at the edges.
  expect(
    refused({
      approvalReminderEvery: '1h',
      blockedReminderEvery: '7d',
      approvalExpiresAfter: '30d',
      deleteNotBefore: inDays(300, '+08:00'),
      comment: 'confirmed with HR-1234 — “ok”',
      ticket: 'HR-1234',
    }),
  ).toEqual([]);
  // Durations out of range: the RangeError that wedged a run, and the reminder that flooded the history.
  expect(refused({ approvalExpiresAfter: '100000000d' })).toEqual(['approvalExpiresAfter']);
  expect(refused({ approvalExpiresAfter: '31d' })).toEqual(['approvalExpiresAfter']);
  expect(refused({ approvalExpiresAfter: 8.64e15 })).toEqual(['approvalExpiresAfter']);
  expect(refused({ approvalReminderEvery: '1s' })).toEqual(['approvalReminderEvery']);
  expect(refused({ approvalReminderEvery: '8d' })).toEqual(['approvalReminderEvery']);
  expect(refused({ blockedReminderEvery: '59m' })).toEqual(['blockedReminderEvery']);
  // Dates: a day that does not exist, no offset, too far ahead.
  expect(refused({ deleteNotBefore: '2026-02-31T00:00:00Z' })).toEqual(['deleteNotBefore']);
  expect(refused({ deleteNotBefore: inDays(10, '') })).toEqual(['deleteNotBefore']);
  expect(refused({ deleteNotBefore: inDays(400) })).toEqual(['deleteNotBefore']);
  expect(refused({ deleteNotBefore: '+275760-09-13T00:00:00Z' })).toEqual(['deleteNotBefore']);
  // Free text: control and format characters (a terminal escape, a right-to-left override, a zero-width space).
  expect(refused({ comment: 'ok\u001b[2J' })).toEqual(['comment']);
  expect(refused({ comment: 'approved\u202Edesrever' })).toEqual(['comment']);
  expect(refused({ ticket: 'HR-\u200B1234' })).toEqual(['ticket']);
  expect(refused({ requestedByName: 'Jane\nInjected: line' })).toEqual(['requestedByName']);
  const [problem] = checkOffboardInput({ ...base, approvalExpiresAfter: '31d' });
  expect(problem.rule).toMatch(/at most 30 days/);
});

test('item 9: tests get fast bounds from the worker configuration, only against the emulator; the workflow clamps again', () => {
  // The harness's worker runs with OFFBOARD_TIMING_BOUNDS=fast: seconds, not hours; the ceilings stay.
  expect(h.config.timing).toEqual(FAST_TIMING);
  expect(FAST_TIMING).toEqual({ ...PRODUCTION_TIMING, reminderMinMs: 1_000, expiryMinMs: 1_000 });
  expect(checkOffboardInput({ ...base, approvalReminderEvery: '1s' }, { timing: h.config.timing })).toEqual([]);
  expect(loadWorkerConfig({ ...h.env, OFFBOARD_TIMING_BOUNDS: undefined }).timing).toEqual(PRODUCTION_TIMING);
  // What the API and the CLI check a request against: the same bounds as the worker they start runs for.
  expect(loadTimingBounds(h.env)).toEqual(FAST_TIMING);
  expect(() => loadTimingBounds({ OFFBOARD_ALIBABA_MODE: 'live', OFFBOARD_TIMING_BOUNDS: 'fast' })).toThrow(
    /OFFBOARD_TIMING_BOUNDS: "fast" is for tests and demos/,
  );
  expect(() =>
    loadWorkerConfig({ ...h.env, OFFBOARD_ALIBABA_MODE: 'live', OFFBOARD_WORKER_IDENTITY: 'role/offboarding' }),
  ).toThrow(/OFFBOARD_TIMING_BOUNDS: "fast" is for tests and demos/);
  // What the workflow does with a value that slipped past the checks.
  expect(clampMs(8.64e15, PRODUCTION_TIMING.expiryMinMs, PRODUCTION_TIMING.expiryMaxMs)).toBe(30 * DAY);
  expect(clampMs(Number.NaN, 1, 2)).toBe(2);
  expect(clampMs(1_000, PRODUCTION_TIMING.reminderMinMs, PRODUCTION_TIMING.reminderMaxMs)).toBe(3_600_000);
  expect(parseIsoWithOffset('2026-03-01T08:00:00+08:00')).toBe(Date.parse('2026-03-01T00:00:00Z'));
  expect(parseIsoWithOffset('2026-02-29T00:00:00Z')).toBeUndefined();
  expect(parseIsoWithOffset('2028-02-29T00:00:00Z')).toBe(Date.parse('2028-02-29T00:00:00Z'));
});

test('item 9: renderers escape free text: the Temporal UI details are Markdown', () => {
  const details = offboardStaticDetails({ ...base, comment: '**urgent** [click](http://evil.example) `x`' });
  expect(details).toContain('\\*\\*urgent\\*\\* \\[click\\]\\(http://evil.example\\) \\`x\\`');
});

test('item 9: a run started around the start helper with an absurd expiry is refused by the workflow before any change', async () => {
  const before = (await journal(h.emulator)).length;
  const request = { ...offboardInput(h, 'alice'), approvalExpiresAfter: '100000000d' };
  const workflowId = offboardWorkflowId(h.accountId, request.target);
  const authorization = await h.signer.signRequest({
    workflow: 'offboardIdentity',
    workflowId,
    request,
    person: people.hrJane,
  });
  const raw = await h.client.workflow.start('offboardIdentity', {
    workflowId,
    taskQueue: h.taskQueue,
    args: [{ ...request, authorization }],
  });
  const err = await raw.result().catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(err.cause.type).toBe('InvalidInput');
  expect(err.cause.message).toMatch(/approvalExpiresAfter: .*at most 30 days/);
  expect((await journal(h.emulator)).length).toBe(before);
}, 30_000);
