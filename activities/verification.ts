import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type RbacGrant } from '../common/types';
import { type ActivityContext } from './deps';
import { usableKubeconfigs } from './proof';
import { type OffboardActivities } from './types';
import { refuseUnknownStates, unverifiable } from './worker-scope';

/**
 * Verification: a read that passes only when the worker can see every cluster concerned (it is RBAC admin of each),
 * every one of them reports the kubeconfig Removed or Unissued, and no RBAC grant remains there. A cluster the worker
 * cannot verify — not its RBAC admin, a state Unknown, no state reported at all — stops the run (UnverifiableCluster).
 * A usable kubeconfig or a grant throws the retryable RevocationNotVerified with what is left, so the retry policy
 * waits for Alibaba to catch up.
 */
export function verificationActivities({
  now,
  clusters,
  scope,
}: ActivityContext): Pick<OffboardActivities, 'verifyRevocation'> {
  return {
    async verifyRevocation({ uid, clusterIds, taskId }) {
      const requestIds: string[] = [];
      const scoped = clusterIds && clusterIds.length > 0 ? clusterIds : undefined;
      const concerned = (await scope.proveClusters(scoped, requestIds)).map((c) => c.clusterId);
      const all = await clusters.kubeconfigs(uid, requestIds);
      // Unscoped, a state reported for a cluster the list did not show counts too, and needs the worker's admin too.
      const unlisted = scoped ? [] : [...new Set(all.map((k) => k.clusterId))].filter((id) => !concerned.includes(id));
      if (unlisted.length > 0) await scope.proveClusters(unlisted, requestIds);
      concerned.push(...unlisted);
      const kubeconfigs = all.filter((k) => concerned.includes(k.clusterId));
      const unreported = concerned.filter((id) => !kubeconfigs.some((k) => k.clusterId === id));
      if (unreported.length > 0) {
        throw unverifiable(
          unreported.map((id) => `cannot verify cluster ${id}: ListUserKubeConfigStates reports no state for it`),
        );
      }
      refuseUnknownStates(kubeconfigs);
      const grants = (await clusters.grants(uid, requestIds)).filter((g) => !scoped || inScope(g, new Set(scoped)));
      const usable = usableKubeconfigs(kubeconfigs);
      if (usable.length > 0 || grants.length > 0) {
        const left = usable.map((k) => `${k.clusterId}=${k.certState}`).join(', ') || 'no usable kubeconfig';
        throw ApplicationFailure.create({
          type: FailureType.RevocationNotVerified,
          message: `revocation not verified for uid ${uid}: ${left}; ${grants.length} RBAC grant(s) left (${grants.map((g) => g.resourceId).join(', ')})`,
          nonRetryable: false,
        });
      }
      return {
        uid,
        verifiedAt: now().toISOString(),
        taskId,
        kubeconfigs,
        grantsRemaining: 0,
        clusterIds: concerned,
        requestIds,
      };
    },
  };
}

/** Console-wide and all-cluster grants count on every cluster. */
function inScope(grant: RbacGrant, clusterIds: Set<string>): boolean {
  const cluster = grant.resourceId.split('/')[0];
  return clusterIds.has(cluster) || grant.resourceType === 'console' || grant.resourceId === 'all-clusters';
}
