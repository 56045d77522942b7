import { CancellationScope } from '@temporalio/workflow';
import { checkOffboardInput } from '../common/inputs';
import { OffboardingStage } from '../common/stages';
import { type OffboardIdentityInput, type RunResult } from '../common/types';
import { Run } from './run/run';
import { revokeLeftovers } from './steps/already-gone';
import { awaitApproval, awaitDeletionTime } from './steps/approval';
import { deleteIdentity } from './steps/deletion';
import { checkDependencies } from './steps/dependencies';
import { takeInventory } from './steps/inventory';
import { admitRequest } from './steps/policy';
import { quarantine } from './steps/quarantine';
import { revoke } from './steps/revocation';
import { verifyRevocation } from './steps/verification';

/**
 * Takes one RAM user or role off Alibaba Cloud, in the order that matters. Deletion takes a VerifiedRevocation, which
 * only verification produces (steps/verification.ts). Any step may end up Blocked (waiting for retry or abort), and
 * until Deletion begins HR may rescind: both are handled inside the steps (run/blocking.ts).
 */
export async function offboardIdentity(input: OffboardIdentityInput): Promise<RunResult> {
  const run = new Run('offboardIdentity', input);
  return run.main(async () => {
    await admitRequest(run, input, checkOffboardInput);

    // 1. Inventory: name → uid, and a snapshot of what the identity holds. Gone from RAM: revoke what it left behind.
    const found = await takeInventory(run, input);
    if (!found.exists) return revokeLeftovers(run, input.target, found.leftoverKubeconfigs);
    const inventory = found.inventory;

    // 2. DependencyCheck: anything found waits for an admin. Nothing has been changed yet, so abort undoes nothing.
    if ((await checkDependencies(run, inventory)) === 'abort') {
      return run.finish(
        OffboardingStage.Aborted,
        'aborted by an admin after the dependency check; nothing was changed',
      );
    }

    // 3. Quarantine: reversible cuts, each registering its undo.
    await quarantine(run, inventory);

    // 4. Revocation, first without Force (Alibaba's 7-day refusal goes to an admin).
    const clean = await revoke(run, {
      uid: inventory.uid,
      target: input.target,
      clusterIds: input.clusterIds,
      force: false,
      grantsToRestore: inventory.grants,
    });

    // 5. Verification, always on every cluster: deletion must not leave a kubeconfig valid anywhere.
    const proof = await verifyRevocation(run, { uid: inventory.uid, target: input.target, taskId: clean.taskId });

    // 6. AwaitingApproval by an admin other than the requester, then the scheduled deletion time if any.
    await awaitApproval(run, input);
    await awaitDeletionTime(run, input);

    // 7. Deletion, the point of no return: runs to the end even if the run is cancelled. 8. Completed.
    return CancellationScope.nonCancellable(async () => {
      await deleteIdentity(run, proof);
      run.board.status.pendingDecision = null;
      return run.finish(
        OffboardingStage.Completed,
        `${run.targetRef} (uid ${inventory.uid}) deleted after verified revocation`,
      );
    });
  });
}
