import { condition, isCancellation, patched } from '@temporalio/workflow';
import { FailureType } from '../../common/errors';
import { OffboardingStage } from '../../common/stages';
import { reminderGapMs, REMINDERS_AT_CHOSEN_INTERVAL } from '../../common/timing';
import { describeDecider } from './decisions';
import { endRun, isRunEnd } from './ending';
import { describeFailure, type FailureFacts, hintFor } from './failures';
import type { Run } from './run';

/**
 * Steps, waits and the Blocked state. A step that fails for a reason a retry cannot fix (a non-retryable type, or
 * retries exhausted) does not fail the run: the run records it, moves to Blocked, notifies on-call and waits for an
 * admin's `retry` (the step runs again) or `abort` (the run ends). A rescind is carried out at step boundaries.
 */

export interface StepOptions {
  /** False for steps past the point of no return and for undo steps: a rescind does not interrupt them. */
  interruptible?: boolean;
  /** Lets a stage take some failure types itself (the 7-day refusal is a dependency finding, not a block). */
  handle?: (type: string) => boolean;
}

export async function step<T>(run: Run, name: string, fn: () => Promise<T>, options: StepOptions = {}): Promise<T> {
  const interruptible = options.interruptible ?? true;
  for (;;) {
    if (interruptible) await carryOutRescind(run);
    try {
      const result = await fn();
      if (interruptible) await carryOutRescind(run);
      return result;
    } catch (err) {
      if (isCancellation(err) || isRunEnd(err)) throw err;
      const failure = describeFailure(err);
      if (options.handle?.(failure.type)) throw err;
      await block(run, name, failure, interruptible);
    }
  }
}

/** A rescind that arrived ends the run here, with its compensations, as long as Deletion has not begun. */
export async function carryOutRescind(run: Run): Promise<void> {
  const r = run.decisions.pendingRescind();
  if (!r) return;
  const why = `rescinded by ${describeDecider(r.by)}: ${r.reason}`;
  await run.compensations.undoAll(run, why);
  endRun(OffboardingStage.Rescinded, `${why}; access restored`);
}

export interface WaitOptions {
  deadlineMs?: number;
  reminderMs?: number;
  remind?: () => Promise<void>;
}

/**
 * Waits on durable timers until `done()` holds (true), the deadline passes (false), or a rescind arrives (carried
 * out: the run ends). A reminder goes out every `reminderMs` while waiting, less often past a dozen (reminderGap).
 * Entries the audit trail gains meanwhile (a refused signal, say) are written out as they come (audit-outbox.ts).
 */
export async function waitFor(
  run: Run,
  done: () => boolean,
  what: string,
  options: WaitOptions = {},
): Promise<boolean> {
  const reminderMs = options.reminderMs ?? run.blockedReminderMs;
  const { deadlineMs } = options;
  let reminders = 0;
  let nextReminder = Date.now() + reminderMs;
  for (;;) {
    await run.atBoundary();
    const now = Date.now();
    if (deadlineMs !== undefined && now >= deadlineMs) return done();
    const wakeAt = deadlineMs !== undefined ? Math.min(nextReminder, deadlineMs) : nextReminder;
    const woke = await condition(
      () => done() || run.decisions.pendingRescind() !== undefined || run.outbox.hasNew(),
      Math.max(wakeAt - now, 1),
    );
    if (done()) return true;
    await carryOutRescind(run);
    if (woke || Date.now() < nextReminder) continue;
    if (deadlineMs !== undefined && Date.now() >= deadlineMs) continue;
    if (options.remind) await options.remind();
    else
      await run.activities.notify(
        'blocked',
        `${run.board.targetRef}: still waiting for ${what}`,
        run.board.status.details,
      );
    nextReminder = Date.now() + reminderGap(run, reminderMs, ++reminders);
  }
}

/**
 * The gap between a reminder that went out (`sent` so far) and the next: the chosen interval, then twice as long each
 * time while nobody answers (common/timing.ts), so that a run nobody attends adds a few events a week, not a few an
 * hour. Counted from when the reminder went out, so the timer's duration in the history is the gap chosen. Under the
 * 'reminder-backoff' patch, asked only past the threshold (the commands change only there): a run already past it
 * when this code arrived replays at its interval and slows from its next reminder on.
 */
function reminderGap(run: Run, everyMs: number, sent: number): number {
  if (sent < REMINDERS_AT_CHOSEN_INTERVAL || !patched('reminder-backoff')) return everyMs;
  return reminderGapMs(everyMs, sent, run.timing.reminderMaxMs);
}

function hhmm(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

/**
 * Blocked: recorded, notified, reminded; returns when an admin retries (or, when `interruptible`, a rescind arrives:
 * the caller's next step boundary carries it out); ends the run when an admin aborts. `step` blocks through it; a
 * stage whose retry must redo an earlier step (a dead clean task is cleaned again) calls it itself.
 */
export async function block(run: Run, stepName: string, failure: FailureFacts, interruptible: boolean): Promise<void> {
  const { board } = run;
  const since = new Date().toISOString();
  const stageBefore = board.stage;
  const detailsBefore = board.status.details;
  board.status.blocked = { step: stepName, failureType: failure.type, message: failure.message, since };
  // Name the Alibaba operation that failed, so on-call knows which permission or object to look at.
  const what = `${stepName}${failure.operation ? `: ${failure.operation}` : ''} ${failure.type === FailureType.AccessDenied ? 'denied' : 'failed'} (${failure.code ?? failure.type})`;
  const details = `Blocked since ${hhmm(since)}: ${what} — ${hintFor(failure.type)}, then \`offboard retry ${run.workflowId}\` (or \`offboard abort ${run.workflowId} --reason …\`)`;
  board.transition(OffboardingStage.Blocked, details, 'blocked');
  board.audit(`${stepName} blocked`, 'error', `${failure.type}: ${failure.message}`);
  await run.activities.notify('blocked', `${board.targetRef} blocked at ${stepName}`, `${what}: ${failure.message}`);
  const decided = () =>
    run.decisions.hasBlockedDecision() || (interruptible && run.decisions.pendingRescind() !== undefined);
  const reminderMs = run.blockedReminderMs;
  let reminders = 0;
  let nextReminder = Date.now() + reminderMs;
  while (!decided()) {
    await run.atBoundary();
    const woke = await condition(() => decided() || run.outbox.hasNew(), Math.max(nextReminder - Date.now(), 1));
    if (woke || Date.now() < nextReminder) continue;
    await run.activities.notify('blocked', `${board.targetRef} still blocked at ${stepName}`, details);
    nextReminder = Date.now() + reminderGap(run, reminderMs, ++reminders);
  }
  board.status.blocked = undefined;
  const decision = run.decisions.takeBlockedDecision();
  if (decision?.kind === 'abort') {
    const a = decision.args;
    const by = describeDecider(decision.by);
    if (a.restoreAccess) await run.compensations.undoAll(run, `aborted by ${by}: ${a.reason}`);
    endRun(
      OffboardingStage.Aborted,
      `aborted by ${by} at ${stepName}: ${a.reason}${a.restoreAccess ? '; access restored' : ''}`,
    );
  }
  if (decision?.kind === 'retry') {
    board.transition(stageBefore, `Retrying ${stepName}: ${detailsBefore}`);
    return;
  }
  // Rescinded while blocked: the loop in step() carries out the rescind next.
  board.transition(stageBefore, detailsBefore);
}
