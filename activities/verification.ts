import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type RbacGrant } from '../common/types';
import { type ActivityContext } from './deps';
import { usableKubeconfigs } from './proof';
import { type OffboardActivities } from './types';

/**
 * Verification: a read that passes only when every cluster (or every named cluster) reports the kubeconfig Removed
 * or Unissued and no RBAC grant remains there. Anything else throws the retryable RevocationNotVerified with what is
 * left, so the retry policy waits for Alibaba to catch up.
 */
export function verificationActivities({
  now,
  clusters,
}: ActivityContext): Pick<OffboardActivities, 'verifyRevocation'> {
  return {
    async verifyRevocation({ uid, clusterIds, taskId }) {
      const requestIds: string[] = [];
      const scoped = clusterIds && clusterIds.length > 0 ? new Set(clusterIds) : undefined;
      const all = await clusters.kubeconfigs(uid, requestIds);
      const kubeconfigs = scoped ? all.filter((k) => scoped.has(k.clusterId)) : all;
      const grants = (await clusters.grants(uid, requestIds)).filter((g) => !scoped || inScope(g, scoped));
      const usable = usableKubeconfigs(kubeconfigs);
      if (usable.length > 0 || grants.length > 0) {
        const left = usable.map((k) => `${k.clusterId}=${k.certState}`).join(', ') || 'no usable kubeconfig';
        throw ApplicationFailure.create({
          type: FailureType.RevocationNotVerified,
          message: `revocation not verified for uid ${uid}: ${left}; ${grants.length} RBAC grant(s) left (${grants.map((g) => g.resourceId).join(', ')})`,
          nonRetryable: false,
        });
      }
      return { uid, verifiedAt: now().toISOString(), taskId, kubeconfigs, grantsRemaining: 0, requestIds };
    },
  };
}

/** Console-wide and all-cluster grants count on every cluster. */
function inScope(grant: RbacGrant, clusterIds: Set<string>): boolean {
  const cluster = grant.resourceId.split('/')[0];
  return clusterIds.has(cluster) || grant.resourceType === 'console' || grant.resourceId === 'all-clusters';
}
