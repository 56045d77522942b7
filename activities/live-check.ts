import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type DeletionProof, type LiveCheck, type TargetIdentity } from '../common/types';
import { identityRef } from '../common/validation';
import { type ActivityContext } from './deps';
import { stillTheVerifiedIdentity } from './identity-lookup';
import { checkProof, usableKubeconfigs } from './proof';
import { type OffboardActivities } from './types';
import { refuseUnknownStates } from './worker-scope';

/**
 * The live check before deletion, run at the start of Deletion (before anything irreversible) and again right before
 * DeleteUser/DeleteRole: the name still names the verified uid, and that uid has no usable kubeconfig on any cluster
 * and no RBAC grant — read by a worker shown to be RBAC admin of every cluster, since grants elsewhere are invisible.
 */
export async function liveCheck(
  ctx: ActivityContext,
  proof: DeletionProof,
  target: TargetIdentity,
  requestIds: string[],
): Promise<LiveCheck> {
  checkProof(proof, target);
  const identityExists = await stillTheVerifiedIdentity(ctx, proof, target, requestIds);
  await ctx.scope.proveClusters(undefined, requestIds);
  const kubeconfigs = await ctx.clusters.kubeconfigs(proof.uid, requestIds);
  refuseUnknownStates(kubeconfigs);
  const grants = await ctx.clusters.grants(proof.uid, requestIds);
  return {
    identityExists,
    usableKubeconfigs: usableKubeconfigs(kubeconfigs),
    grants,
    checkedAt: ctx.now().toISOString(),
    requestIds,
  };
}

/** The refusal to go on with a deletion once something is usable again: revocation must be redone and approved. */
export function usableAgain(check: LiveCheck, target: TargetIdentity): ApplicationFailure | undefined {
  if (check.usableKubeconfigs.length === 0 && check.grants.length === 0) return undefined;
  return ApplicationFailure.create({
    type: FailureType.UsableAgain,
    message: `${identityRef(target.type, target.name)} can use the clusters again since its revocation was verified: ${describeUsable(check)}`,
    nonRetryable: true,
    details: [check],
  });
}

/** "kubeconfig on c-prod-1 (Unexpired); RBAC grant on c-prod-1 (dev)". */
export function describeUsable(check: Pick<LiveCheck, 'usableKubeconfigs' | 'grants'>): string {
  return [
    ...check.usableKubeconfigs.map((k) => `kubeconfig on ${k.clusterId} (${k.certState})`),
    ...check.grants.map((g) => `RBAC grant on ${g.resourceId} (${g.roleType || g.roleName})`),
  ].join('; ');
}

export function liveCheckActivities(ctx: ActivityContext): Pick<OffboardActivities, 'checkBeforeDeletion'> {
  return {
    async checkBeforeDeletion({ proof, target }) {
      return liveCheck(ctx, proof, target, []);
    },
  };
}
