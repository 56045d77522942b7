import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type KubeconfigState } from '../common/types';
import { type ClusterReads, type ListedCluster } from './cluster-reads';
import { type WorkerPrincipal } from './worker-identity';

/**
 * What the worker can see. DescribeUserPermission shows a RAM caller only the grants on clusters where it is RBAC
 * admin, so "no grant left" holds only there. Before a verification (or a live check before deletion) counts, the
 * worker proves it is RBAC admin of every cluster concerned — every cluster DescribeClustersV1 lists, or the named
 * ones — from its own grants, read under its own principal id (STS GetCallerIdentity, never a configured name).
 */
export interface WorkerScope {
  /**
   * The clusters to verify (`clusterIds`, or every cluster listed), once the worker is shown to be RBAC admin of each.
   * Throws UnverifiableCluster naming every cluster it is not admin of.
   */
  proveClusters(clusterIds: readonly string[] | undefined, requestIds: string[]): Promise<ListedCluster[]>;
}

/** The failure for clusters whose revocation the worker cannot verify, each with its reason. */
export function unverifiable(reasons: string[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.UnverifiableCluster,
    message: reasons.join('; '),
    nonRetryable: true,
  });
}

/**
 * `Unknown` is not revoked: a cluster that reports it (it could not read its certificates) cannot be verified, and the
 * run stops for a human instead of retrying past it.
 */
export function refuseUnknownStates(kubeconfigs: readonly KubeconfigState[]): void {
  const unknown = kubeconfigs.filter((k) => k.certState === 'Unknown');
  if (unknown.length > 0) {
    throw unverifiable(
      unknown.map(
        (k) => `cannot verify cluster ${k.clusterId}: it reports the kubeconfig state Unknown, which is not revoked`,
      ),
    );
  }
}

export function workerScope(worker: () => Promise<WorkerPrincipal>, clusters: ClusterReads): WorkerScope {
  return {
    async proveClusters(clusterIds, requestIds) {
      const listed = await clusters.clusters(requestIds);
      // The worker's own grants, read under its principal id (never the root account: refused at start).
      const own = await clusters.grants((await worker()).uid, requestIds);
      const everywhere = own.some((g) => g.roleType === 'admin' && g.resourceType === 'console');
      const adminOf = new Set(
        own.filter((g) => g.roleType === 'admin' && g.resourceType === 'cluster').map((g) => g.resourceId),
      );
      const concerned = clusterIds
        ? clusterIds.map((id) => listed.find((c) => c.clusterId === id) ?? { clusterId: id })
        : listed;
      if (everywhere) return concerned;
      const blind = concerned.filter((c) => !adminOf.has(c.clusterId));
      if (blind.length > 0) {
        throw unverifiable(
          blind.map(
            (c) =>
              `cannot verify cluster ${c.clusterId}: the worker is not its RBAC admin, so RBAC grants there are invisible to it (make it RBAC admin of the cluster)`,
          ),
        );
      }
      return concerned;
    },
  };
}
