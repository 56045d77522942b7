import { workflowInfo } from '@temporalio/workflow';
import { describeHold } from '../../common/deletion-failsafe';
import { OffboardingStage } from '../../common/stages';
import { describeDecider } from '../run/decisions';
import { type Run } from '../run/run';

/**
 * The blast-radius failsafe, in Deletion before the point of no return: the account's governor
 * (workflows/deletion-failsafe.ts) grants this deletion, or holds it because too many deletions went on the account in
 * the window. Held, the run waits in DeletionPaused for a second admin's confirmation — not its approver, not its
 * requester — with reminders; HR may still rescind. Returns 'confirmed' after such a wait (the caller checks the
 * identity live again: time has passed), 'granted' otherwise.
 */
export async function passFailsafe(run: Run): Promise<'granted' | 'confirmed'> {
  const { accountId } = run.input;
  const answer = await run.step('blast-radius failsafe', () =>
    run.act('reserveDeletion', `Reserve the deletion of ${run.targetRef} with the account's blast-radius failsafe`, {
      accountId,
      workflowId: run.workflowId,
      runId: workflowInfo().firstExecutionRunId,
      targetRef: run.targetRef,
    }),
  );
  if (answer.granted) return 'granted';

  const hold = `blast-radius failsafe: ${describeHold(accountId, answer)}; waiting for a second admin's confirmation`;
  const details = `${hold} — \`offboard failsafe confirm --reason …\` (an admin who neither approved nor requested this run), or rescind`;
  run.board.audit('blast-radius failsafe', 'refused', hold);
  run.board.transition(OffboardingStage.DeletionPaused, details, 'failsafe');
  const notify = (subject: string) => run.activities.notify('failsafe-paused', subject, details);
  await notify(`${run.targetRef}: deletion paused by the blast-radius failsafe`);
  await run.waitFor(() => run.decisions.failsafeConfirmation.has(), "a second admin's confirmation", {
    reminderMs: run.blockedReminderMs,
    remind: () => notify(`${run.targetRef}: deletion still paused by the blast-radius failsafe`),
  });
  const confirmation = run.decisions.failsafeConfirmation.take();
  if (!confirmation) throw new Error('the failsafe wait ended without a confirmation');
  run.board.audit(
    'blast-radius failsafe confirmed',
    'ok',
    `by ${describeDecider(confirmation.by)}: ${confirmation.reason}`,
    undefined,
    { actor: confirmation.by.subject, token: confirmation.token },
  );
  return 'confirmed';
}
