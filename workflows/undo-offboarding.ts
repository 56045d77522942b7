import { OffboardingStage } from '../common/stages';
import { type RunResult } from '../common/types';
import { checkUndoInput, type UndoOffboardingInput } from '../common/undo';
import { describeDecider } from './run/decisions';
import { endRun } from './run/ending';
import { Run } from './run/run';
import { admitRequest } from './steps/policy';
import { checkRestorable, type Restorable } from './undo/preflight';
import { describeRestored, restoreUser } from './undo/restore';

/**
 * Undo of a Completed offboarding, while RAM still can: an admin asks (signed request, role `undo`), the run checks
 * that the offboarding deleted this user and that RAM's recycle bin still holds its uid (undo/preflight.ts), a second
 * admin approves (signed `approveUndo`: not the requester, not the person restored), and the run restores the user
 * with its uid, its keys Inactive, its groups, policies and RBAC grants, and console login only as a reset-required
 * password (undo/restore.ts). Its own durable run, audit trail, status query and search attributes.
 */
export async function undoOffboarding(input: UndoOffboardingInput): Promise<RunResult> {
  const run = new Run('undoOffboarding', input);
  return run.main(async () => {
    await admitRequest(run, input, checkUndoInput);
    const restorable = await checkRestorable(run, input);
    const approver = await awaitUndoApproval(run, input, restorable);
    const restored = await restoreUser(run, input, restorable);
    return run.finish(
      OffboardingStage.Completed,
      `${run.targetRef} restored from RAM's recycle bin with its uid ${restorable.record.uid} (undo of ${input.undoOf}, approved by ${approver}): ${describeRestored(restored)}`,
    );
  });
}

/**
 * AwaitingApproval: a second admin's signed approveUndo or rejectUndo (its rules: common/messages.ts). The wait ends
 * at the purge date (RAM's DeleteDate, or the purge policy's if earlier): past it there is nothing left to restore.
 * Returns the approver; a rejection or the purge date ends the run, having changed nothing.
 */
async function awaitUndoApproval(run: Run, input: UndoOffboardingInput, from: Restorable): Promise<string> {
  const policyDate = from.record.purge?.policy === 'after' ? Date.parse(from.record.purge.purgeAt) : NaN;
  const deadlineMs = Math.min(Date.parse(from.entry.deleteDate), Number.isNaN(policyDate) ? Infinity : policyDate);
  const deadlineIso = new Date(deadlineMs).toISOString();
  run.board.status.approvalDeadline = deadlineIso;
  const details = `Restorable until ${deadlineIso}. Waiting for an admin other than ${input.requestedByName ?? input.requestedBy} (and not ${run.targetRef} itself) to approve the undo — \`offboard approve-undo|reject-undo ${run.workflowId} …\``;
  run.board.transition(OffboardingStage.AwaitingApproval, details, 'approval');
  await run.activities.notify('approval-requested', `${run.targetRef}: approve the undo of its offboarding?`, details);
  await run.waitFor(() => run.decisions.undoApproval.has(), 'approval of the undo', {
    deadlineMs,
    reminderMs: run.blockedReminderMs,
    remind: () =>
      run.activities.notify('approval-reminder', `${run.targetRef}: the undo still awaits approval`, details),
  });
  const decision = run.decisions.undoApproval.take();
  if (!decision) {
    endRun(
      OffboardingStage.ApprovalExpired,
      `no second admin approved before ${deadlineIso}, when the user leaves RAM's recycle bin; nothing was changed`,
    );
  }
  const by = describeDecider(decision.by);
  if (!decision.approved)
    endRun(OffboardingStage.Rejected, `undo rejected by ${by}: ${decision.reason}; nothing was changed`);
  return by;
}
