import { OffboardingStage } from '../../common/stages';
import { type OffboardIdentityInput } from '../../common/types';
import { parseDurationMs } from '../../common/validation';
import { carryOutRescind } from '../run/blocking';
import { endRun } from '../run/ending';
import { type Run } from '../run/run';

const DEFAULT_REMINDER_MS = 24 * 3_600_000;
const DEFAULT_EXPIRY_MS = 7 * 24 * 3_600_000;

function durationOr(value: OffboardIdentityInput['approvalExpiresAfter'], fallbackMs: number): number {
  return (value !== undefined ? parseDurationMs(value) : undefined) ?? fallbackMs;
}

/**
 * Stage 6, AwaitingApproval: an admin other than the requester approves the deletion, with reminders on a schedule.
 * Rejection ends the run (restoring access when asked); expiry ends it with access still cut — time never restores
 * access. Returns only once approved.
 */
export async function awaitApproval(run: Run, input: OffboardIdentityInput): Promise<void> {
  const reminderMs = durationOr(input.approvalReminderEvery, DEFAULT_REMINDER_MS);
  const deadline = Date.now() + durationOr(input.approvalExpiresAfter, DEFAULT_EXPIRY_MS);
  const deadlineIso = new Date(deadline).toISOString();
  run.board.status.approvalDeadline = deadlineIso;
  const details = `Revocation verified; access cut. Waiting for an admin other than ${input.requestedBy} to approve deletion until ${deadlineIso} — \`offboard approve|reject ${run.workflowId} --as ADMIN …\``;
  run.board.transition(OffboardingStage.AwaitingApproval, details, 'approval');
  await run.activities.notify('approval-requested', `${run.targetRef}: approve deletion?`, details);
  await run.waitFor(() => run.decisions.hasApproval(), 'approval', {
    deadlineMs: deadline,
    reminderMs,
    remind: () =>
      run.activities.notify('approval-reminder', `${run.targetRef}: deletion still awaits approval`, details),
  });
  const approval = run.decisions.takeApproval();
  if (!approval) {
    endRun(
      OffboardingStage.ApprovalExpired,
      `no decision by ${deadlineIso}; access stays cut (time never restores access)`,
    );
  }
  if (!approval.approved) {
    const why = `deletion rejected by ${approval.actor}: ${approval.reason}`;
    if (approval.restoreAccess) await run.compensate(why);
    endRun(OffboardingStage.Rejected, `${why}; access ${approval.restoreAccess ? 'restored' : 'stays cut'}`);
  }
  run.board.audit('deletion approved', 'ok', undefined, undefined, approval.actor);
}

/**
 * With `deleteNotBefore`, an approved run waits on a durable timer until that time (ScheduledDeletion). HR may
 * still rescind until Deletion begins.
 */
export async function awaitDeletionTime(run: Run, input: OffboardIdentityInput): Promise<void> {
  await carryOutRescind(run);
  if (!input.deleteNotBefore) return;
  const at = Date.parse(input.deleteNotBefore);
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
