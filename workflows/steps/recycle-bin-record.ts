import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { isCancellation, ParentClosePolicy, patched, startChild } from '@temporalio/workflow';
import { initialSearchAttributes } from '../../common/presentation';
import { SearchAttributes } from '../../common/search-attributes';
import { OffboardingStage } from '../../common/stages';
import { type OffboardIdentityInput } from '../../common/types';
import { type PurgeSchedule, purgeWorkflowId } from '../../common/undo';
import { describeFailure } from '../run/failures';
import { type Run } from '../run/run';
import type { purgeFromRecycleBin } from '../purge-from-recycle-bin';

/**
 * After this run deleted a RAM user: where the user is now, for the run's final record. RAM keeps it in its recycle
 * bin (restorable) until its DeleteDate; under the purge policy `after:<N>d` a durable child purges it N days after it
 * went in (purge-from-recycle-bin.ts, ParentClosePolicy ABANDON: it outlives this run). Returns the sentence the
 * outcome ends with, and the schedule for the deletion record. Never blocks the run: the deletion is done; a bin that
 * cannot be read is said so (and the purge child, which reads it itself, is started all the same).
 */
export async function recordRecycleBin(
  run: Run,
  input: OffboardIdentityInput,
  uid: string,
): Promise<{ sentence: string; purge?: PurgeSchedule }> {
  // Histories from before the purge policy neither read the bin nor start a purge.
  if (!patched('purge-policy') || input.target.type !== 'user') return { sentence: '' };
  const policy = run.recycleBinPurge;
  let entry;
  try {
    entry = await run.act('readRecycleBinEntry', `Read uid ${uid} in RAM's recycle bin`, {
      accountId: input.accountId,
      uid,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const why = describeFailure(err).message;
    run.board.audit('recycle bin', 'error', `GetUserInRecycleBin for uid ${uid} failed: ${why}`);
    entry = undefined;
  }
  if (entry === null) {
    run.board.audit('recycle bin', 'info', `RAM's recycle bin does not hold uid ${uid}`);
    return { sentence: `; RAM's recycle bin does not hold uid ${uid}: it cannot be restored` };
  }
  if (entry) {
    run.board.audit(
      'recycle bin',
      'info',
      `uid ${uid} in RAM's recycle bin since ${entry.recycleDate}; RAM purges it at ${entry.deleteDate}`,
      entry.requestIds,
    );
  }
  if (policy.kind === 'keep') {
    if (!entry) return { sentence: "; its entry in RAM's recycle bin could not be read (see the audit trail)" };
    const purge: PurgeSchedule = { policy: 'keep', purgeAt: entry.deleteDate };
    run.board.audit('purge policy', 'info', `keep: RAM purges uid ${uid} at ${entry.deleteDate}`);
    return {
      sentence: `; in RAM's recycle bin until ${entry.deleteDate} (purge policy keep: RAM purges it then; until then an undo can restore it)`,
      purge,
    };
  }

  const workflowId = purgeWorkflowId(input.accountId, uid);
  const purgeAt = entry
    ? new Date(Math.min(Date.parse(entry.recycleDate) + policy.afterMs, Date.parse(entry.deleteDate))).toISOString()
    : undefined;
  const child = {
    accountId: input.accountId,
    target: input.target,
    uid,
    purgeAfterMs: policy.afterMs,
    requestedBy: input.requestedBy,
    requestedByName: input.requestedByName,
    reason: input.reason,
    authorization: input.authorization,
  };
  try {
    await startChild<typeof purgeFromRecycleBin>('purgeFromRecycleBin', {
      workflowId,
      args: [child],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        ...initialSearchAttributes(child, OffboardingStage.ScheduledDeletion),
        { key: SearchAttributes.uid, value: uid },
      ],
      staticSummary: `Purge uid ${uid} (${run.targetRef}) from RAM's recycle bin (policy ${policy.text})`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  run.board.audit(
    'purge policy',
    'info',
    `${policy.text}: ${workflowId} purges uid ${uid} from RAM's recycle bin${purgeAt ? ` at ${purgeAt}` : ''}`,
  );
  return {
    sentence: `; purged from RAM's recycle bin ${purgeAt ? `at ${purgeAt}` : `${policy.text.slice('after:'.length)} after it went in`} (purge policy ${policy.text}, by ${workflowId})`,
    purge: { policy: 'after', purgeAt: purgeAt ?? '', purgeWorkflowId: workflowId },
  };
}
