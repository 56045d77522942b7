import { OffboardingStage } from '../../common/stages';
import { type DeletionRecord, type RecycleBinEntry, type UndoOffboardingInput } from '../../common/undo';
import { endRun } from '../run/ending';
import { type Run } from '../run/run';

/** What an undo restores from: the completed offboarding's record, and the uid's entry in RAM's recycle bin. */
export interface Restorable {
  record: DeletionRecord & { uid: string };
  entry: RecycleBinEntry;
}

function refuse(run: Run, why: string): never {
  run.board.audit('undo possible?', 'refused', why);
  return endRun(OffboardingStage.Refused, `refused: ${why}; nothing was changed`);
}

/** "purge date 2026-12-28T…Z (RAM's DeleteDate)": what the offboarding recorded of the purge. */
function purgeDate(record: DeletionRecord): string {
  const p = record.purge;
  if (!p?.purgeAt) return 'no purge date was recorded by the offboarding';
  return p.policy === 'keep'
    ? `purge date ${p.purgeAt}: RAM's DeleteDate`
    : `purge date ${p.purgeAt}: this product's purge policy, by ${p.purgeWorkflowId}`;
}

/**
 * Before anything changes and before anyone is asked: the offboarding under `undoOf` completed a deletion of this user
 * (its own record, read from Temporal: the uid, the snapshot, the keys it deleted), RAM's recycle bin still holds THAT
 * uid (GetUserInRecycleBin by UserId), and no live user holds the name. Each refusal says why (with the purge date when
 * the bin no longer holds the uid) and ends the run Refused. A read that fails blocks the run with its message (fail
 * closed: what cannot be verified is not assumed).
 */
export async function checkRestorable(run: Run, input: UndoOffboardingInput): Promise<Restorable> {
  run.board.transition(
    OffboardingStage.Inventory,
    `Reading ${input.undoOf}'s record and RAM's recycle bin: is ${run.targetRef} restorable?`,
  );
  const read = await run.step('read the offboarding', () =>
    run.act('readOffboardingRecord', `Read ${input.undoOf}`, { accountId: input.accountId, workflowId: input.undoOf }),
  );
  if (!read.found) refuse(run, `there is no run ${input.undoOf} in Temporal (never started, or past its retention)`);
  if (read.type !== 'offboardIdentity') refuse(run, `${input.undoOf} is a ${read.type} run, not an offboarding`);
  if (read.closed !== 'COMPLETED' || !read.record) {
    refuse(
      run,
      `${input.undoOf} has not completed (it is ${String(read.closed).toLowerCase()}): it deleted nothing to undo`,
    );
  }
  const record = read.record;
  if (record.stage !== OffboardingStage.Completed || !record.deletedByRun || !record.uid || !record.inventory) {
    refuse(
      run,
      `${input.undoOf} ended ${record.stage} without deleting ${run.targetRef} itself: there is no deletion of it to undo`,
    );
  }
  const uid = record.uid;
  run.board.setUid(uid);
  run.board.audit(
    'offboarding record',
    'ok',
    `${input.undoOf} (run ${read.runId}) deleted uid ${uid}; keys it deleted: ${record.deletedAccessKeyIds.join(', ') || 'none'}`,
  );

  const live = await run.step('GetUser', () =>
    run.act('lookUpLiveUser', `Is ${run.targetRef} live?`, { accountId: input.accountId, userName: input.target.name }),
  );
  if (live.uid === uid)
    refuse(run, `uid ${uid} is already restored: it is live again under the name ${input.target.name}`);
  if (live.uid !== undefined) {
    refuse(
      run,
      `a live user now holds the name ${input.target.name} (uid ${live.uid}): uid ${uid} cannot be restored under it`,
    );
  }
  const entry = await run.step('GetUserInRecycleBin', () =>
    run.act('readRecycleBinEntry', `Read uid ${uid} in RAM's recycle bin`, { accountId: input.accountId, uid }),
  );
  if (!entry)
    refuse(
      run,
      `uid ${uid} of ${run.targetRef} is no longer in RAM's recycle bin: it was purged (${purgeDate(record)})`,
    );
  run.board.audit(
    'recycle bin',
    'ok',
    `uid ${uid} in RAM's recycle bin since ${entry.recycleDate}, restorable until ${entry.deleteDate}`,
    entry.requestIds,
  );
  return { record: { ...record, uid }, entry };
}
