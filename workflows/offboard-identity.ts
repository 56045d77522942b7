import { CancellationScope, setHandler } from '@temporalio/workflow';
import { checkOffboardInput } from '../common/inputs';
import { OffboardingStage } from '../common/stages';
import { type OffboardIdentityInput, type RbacGrant, type RunResult } from '../common/types';
import { type DeletionRecord, deletionRecordQuery } from '../common/undo';
import { Run } from './run/run';
import { revokeLeftovers } from './steps/already-gone';
import { awaitApproval, awaitDeletionTime } from './steps/approval';
import { checkNamedClusters } from './steps/clusters';
import { deleteIdentity, type DeletionOutcome } from './steps/deletion';
import { checkDependencies } from './steps/dependencies';
import { takeInventory } from './steps/inventory';
import { admitRequest } from './steps/policy';
import { quarantine } from './steps/quarantine';
import { recordRecycleBin } from './steps/recycle-bin-record';
import { revokeAndVerify, type VerifiedRevocation } from './steps/verification';

/**
 * Takes one RAM user or role off Alibaba Cloud, in the order that matters. Deletion takes a VerifiedRevocation, which
 * only verification produces (steps/verification.ts), and begins with a live check of the identity. Any step may end
 * up Blocked (waiting for retry or abort), and until Deletion begins HR may rescind: both are handled inside the steps
 * (run/blocking.ts).
 */
export async function offboardIdentity(input: OffboardIdentityInput): Promise<RunResult> {
  const run = new Run('offboardIdentity', input);
  // What an undo reads of this run once it completed (common/undo.ts): answered from its replayed history.
  const record: DeletionRecord = {
    stage: run.board.stage,
    target: input.target,
    deletedAccessKeyIds: [],
    deletedByRun: false,
  };
  setHandler(deletionRecordQuery, () => ({ ...record, stage: run.board.stage, uid: run.board.status.uid }));
  return run.main(async () => {
    await admitRequest(run, input, checkOffboardInput);

    // 1. Inventory: name → uid, and a snapshot of what the identity holds. Named clusters must exist. Gone from RAM:
    // revoke what it left behind.
    const found = await takeInventory(run, input);
    if (input.clusterIds) {
      await checkNamedClusters(run, input.clusterIds, found.exists ? found.inventory.clusters : found.clusters);
    }
    if (!found.exists) return revokeLeftovers(run, input.target, found);
    const inventory = found.inventory;
    const { clusters: _clusters, kubeconfigs: _kubeconfigs, ...snapshot } = inventory;
    record.inventory = snapshot;

    // 2. DependencyCheck: anything found waits for an admin. Nothing has been changed yet, so abort undoes nothing.
    if ((await checkDependencies(run, inventory)) === 'abort') {
      return run.finish(
        OffboardingStage.Aborted,
        'aborted by an admin after the dependency check; nothing was changed',
      );
    }

    // 3. Quarantine: reversible cuts, each registering its undo.
    await quarantine(run, inventory);

    // A clean without Force is refused on clusters without audit logs: the admin accepted that at the dependency
    // check (one finding per cluster, one decision), so the clean goes with Force at once.
    const force = (inventory.clusters ?? []).some((c) => c.auditLog === false);
    let grantsToRestore: RbacGrant[] | undefined = inventory.grants;
    for (;;) {
      // 4. Revocation (first without Force: Alibaba's 7-day refusal goes to an admin) and 5. Verification, always on
      // every cluster: deletion must not leave a kubeconfig valid anywhere.
      const proof = await revokeAndVerify(run, {
        uid: inventory.uid,
        target: input.target,
        clusterIds: input.clusterIds,
        force,
        grantsToRestore,
      });
      grantsToRestore = undefined;

      // 6. AwaitingApproval by an admin other than the requester, then the scheduled deletion time if any.
      await awaitApproval(run, input);
      await awaitDeletionTime(run, input);

      // 7. Deletion, after a live check: usable again → back to 4 and a new approval, for what is approved must be
      // what is deleted. Past its check it runs to the end even if the run is cancelled. 8. Completed.
      const deletion = await deleteIdentity(run, proof);
      if (deletion.kind !== 'revoke-again') return finishDeletion(run, input, proof, deletion, record);
    }
  });
}

/** The end, saying who deleted the identity as far as the run can know. */
async function finishDeletion(
  run: Run,
  input: OffboardIdentityInput,
  proof: VerifiedRevocation,
  deletion: Exclude<DeletionOutcome, { kind: 'revoke-again' }>,
  record: DeletionRecord,
): Promise<RunResult> {
  const who = `${run.targetRef} (uid ${proof.uid})`;
  const op = proof.target.type === 'user' ? 'DeleteUser' : 'DeleteRole';
  if (deletion.kind === 'gone-before-deletion') {
    // Nobody can use a deleted identity: what became usable again is revoked with Force, the 7-day check protects nothing.
    if (deletion.usableAgain) await revokeAndVerify(run, { uid: proof.uid, target: proof.target, force: true });
    return run.finish(
      OffboardingStage.AlreadyGone,
      `${who} was removed outside this run before its deletion began: this run deleted nothing; its kubeconfigs and RBAC grants are revoked (verified)`,
    );
  }
  return CancellationScope.nonCancellable(async () => {
    run.board.status.pendingDecision = null;
    const removed = run.board.status.deletedSteps;
    if (deletion.kind === 'gone-during-deletion') {
      return run.finish(
        OffboardingStage.AlreadyGone,
        `${who} was removed outside this run during its deletion, before its ${op}: this run removed ${removed.join(', ') || 'nothing'}; revocation verified at ${proof.verifiedAt}`,
      );
    }
    record.deletedByRun = true;
    record.deletedAccessKeyIds = deletion.accessKeyIds;
    // Where the deleted user is now (RAM's recycle bin) and when it is purged: the final record says so.
    const bin = await recordRecycleBin(run, input, proof.uid);
    record.purge = bin.purge;
    return run.finish(
      OffboardingStage.Completed,
      `${who} deleted by this run after verified revocation${deletion.answerLost ? ` (the answer to its ${op} was lost; the retry found it gone)` : ''}${bin.sentence}`,
    );
  });
}
