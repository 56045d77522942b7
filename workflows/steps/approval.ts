import { workflowInfo } from '@temporalio/workflow';
import { OffboardingStage } from '../../common/stages';
import { clampMs, parseIsoWithOffset } from '../../common/timing';
import { type DurationInput, type OffboardIdentityInput } from '../../common/types';
import { parseDurationMs } from '../../common/validation';
import { carryOutRescind } from '../run/blocking';
import { describeDecider } from '../run/decisions';
import { endRun } from '../run/ending';
import { type Run } from '../run/run';

const DEFAULT_REMINDER_MS = 24 * 3_600_000;
const DEFAULT_EXPIRY_MS = 7 * 24 * 3_600_000;

/** The input's duration, or the default; clamped to the bounds whatever slipped past the input checks. */
function durationWithin(value: DurationInput | undefined, fallbackMs: number, minMs: number, maxMs: number): number {
  return clampMs((value !== undefined ? parseDurationMs(value) : undefined) ?? fallbackMs, minMs, maxMs);
}

/**
 * Stage 6, AwaitingApproval: an admin other than the requester approves the deletion, with reminders on a schedule.
 * Rejection ends the run (restoring access when asked); expiry ends it with access still cut — time never restores
 * access. Returns only once approved.
 */
export async function awaitApproval(run: Run, input: OffboardIdentityInput): Promise<void> {
  const { timing } = run;
  const reminderMs = durationWithin(
    input.approvalReminderEvery,
    DEFAULT_REMINDER_MS,
    timing.reminderMinMs,
    timing.reminderMaxMs,
  );
  const deadline =
    Date.now() + durationWithin(input.approvalExpiresAfter, DEFAULT_EXPIRY_MS, timing.expiryMinMs, timing.expiryMaxMs);
  const deadlineIso = new Date(deadline).toISOString();
  run.board.status.approvalDeadline = deadlineIso;
  const details = `Revocation verified; access cut. Waiting for an admin other than ${input.requestedByName ?? input.requestedBy} to approve deletion until ${deadlineIso} — \`offboard approve|reject ${run.workflowId} …\``;
  run.board.transition(OffboardingStage.AwaitingApproval, details, 'approval');
  await run.activities.notify('approval-requested', `${run.targetRef}: approve deletion?`, details);
  await run.waitFor(() => run.decisions.approval.has(), 'approval', {
    deadlineMs: deadline,
    reminderMs,
    remind: () =>
      run.activities.notify('approval-reminder', `${run.targetRef}: deletion still awaits approval`, details),
  });
  const approval = run.decisions.approval.take();
  if (!approval) {
    endRun(
      OffboardingStage.ApprovalExpired,
      `no decision by ${deadlineIso}; access stays cut (time never restores access)`,
    );
  }
  if (!approval.approved) {
    const why = `deletion rejected by ${describeDecider(approval.by)}: ${approval.reason}`;
    if (approval.restoreAccess) await run.compensate(why);
    endRun(OffboardingStage.Rejected, `${why}; access ${approval.restoreAccess ? 'restored' : 'stays cut'}`);
  }
  run.board.audit('deletion approved', 'ok', approval.comment, undefined, { actor: approval.by.subject });
}

/**
 * With `deleteNotBefore`, an approved run waits on a durable timer until that time (ScheduledDeletion). HR may
 * still rescind until Deletion begins.
 */
export async function awaitDeletionTime(run: Run, input: OffboardIdentityInput): Promise<void> {
  await carryOutRescind(run);
  if (!input.deleteNotBefore) return;
  // Checked at admission (explicit offset, a real date, within the bound); clamped again to the bound here.
  const parsed = parseIsoWithOffset(input.deleteNotBefore) ?? Date.parse(input.deleteNotBefore);
  const latest = workflowInfo().runStartTime.getTime() + run.timing.deleteNotBeforeWithinMs;
  const at = clampMs(parsed, -Infinity, latest);
  if (at <= Date.now()) return;
  run.board.status.deleteNotBefore = input.deleteNotBefore;
  run.board.transition(
    OffboardingStage.ScheduledDeletion,
    `Approved; deletion scheduled for ${input.deleteNotBefore} (HR may still rescind)`,
    'scheduled-deletion',
  );
  await run.waitFor(() => false, 'the scheduled deletion time', { deadlineMs: at, reminderMs: at - Date.now() + 1 });
  await carryOutRescind(run);
}
