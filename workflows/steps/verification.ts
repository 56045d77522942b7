import { OffboardingStage } from '../../common/stages';
import { type RevocationProof, type TargetIdentity } from '../../common/types';
import { type Run } from '../run/run';

/**
 * Stage 5, Verification — and the only place a RevocationProof is made.
 *
 * THE INVARIANT: identity deletion needs a `VerifiedRevocation`, and the only function that returns one is
 * `verifyRevocation` below, which returns only after (1) the clean task succeeded and (2) a fresh read showed every
 * cluster's kubeconfig Removed or Unissued and no RBAC grant left. Deletion activities check the proof again, and
 * the last one re-reads the live state right before DeleteUser/DeleteRole.
 */
declare const verifiedBrand: unique symbol;
export type VerifiedRevocation = RevocationProof & { readonly [verifiedBrand]: true };

export interface VerifyOptions {
  uid: string;
  target: TargetIdentity;
  /** The asynchronous clean task to follow first, when the clean was for all clusters. */
  taskId?: string;
  /** A scoped revokeKubeconfig verifies the named clusters; an offboarding always verifies every cluster. */
  clusterIds?: string[];
}

/**
 * Follows the clean task, then reads the state back. Returns the proof only if every cluster (or, for a scoped
 * revokeKubeconfig, every named cluster) shows the kubeconfig Removed or Unissued and no RBAC grant remains.
 */
export async function verifyRevocation(run: Run, options: VerifyOptions): Promise<VerifiedRevocation> {
  const { uid, target, taskId, clusterIds } = options;
  run.board.transition(
    OffboardingStage.Verification,
    `Verifying that ${run.targetRef} has no usable kubeconfig and no RBAC grant left`,
  );
  if (taskId) {
    const task = await run.step('DescribeTaskInfo', () =>
      run.act('awaitCleanTask', `Follow clean task ${taskId}`, { taskId }),
    );
    run.board.audit('DescribeTaskInfo', 'ok', `task ${taskId} ${task.state}`, task.requestIds);
  }
  const result = await run.step('verifyRevocation', () =>
    run.act('verifyRevocation', `Verify revocation of ${run.targetRef}`, { uid, clusterIds, taskId }),
  );
  run.board.status.verification = result;
  run.board.audit(
    'verify revocation',
    'ok',
    result.kubeconfigs.map((k) => `${k.clusterId}=${k.certState}`).join(', ') || 'no kubeconfig records',
    result.requestIds,
  );
  const proof: RevocationProof = {
    kind: 'RevocationProof',
    uid,
    target,
    verifiedAt: result.verifiedAt,
    kubeconfigs: result.kubeconfigs,
    grantsRemaining: 0,
  };
  return proof as VerifiedRevocation;
}
