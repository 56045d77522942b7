import { type ClusterFacts, type Inventory, type InventoryResult, type TargetIdentity } from '../common/types';
import { type ActivityContext } from './deps';
import { holdingsReader } from './holdings';
import { lookUpIdentity } from './identity-lookup';
import { type ListedCluster } from './cluster-reads';
import { assertNotWorker, assertServedAccount, checkResolvedUid } from './run-policy';
import { assertNotWorkerUid } from './worker-identity';
import { identityRef } from '../common/validation';
import { type OffboardActivities } from './types';

/** Inventory: name → uid, and a snapshot of everything the identity holds, the clusters included. Read-only. */
export function inventoryActivities(
  ctx: ActivityContext,
): Pick<OffboardActivities, 'inventoryIdentity' | 'resolveIdentity' | 'listClusters'> {
  const { deps, now, clusters } = ctx;
  const holdings = holdingsReader(ctx);

  /** GetUser or GetRole, after refusing another account and the worker itself before any call. */
  async function lookUp(accountId: string, target: TargetIdentity, requestIds: string[]) {
    assertServedAccount(deps, accountId);
    assertNotWorker(deps, target);
    return lookUpIdentity(ctx, target, requestIds);
  }

  /**
   * An identity RAM no longer knows: its kubeconfigs may still be issued on clusters. Every cluster is searched, for
   * kubeconfigs of the uids it is known to have had (`knownUids`) or of its name, and of deleted identities listed
   * without a name (which may be its).
   */
  async function absent(
    target: TargetIdentity,
    knownUids: readonly string[],
    requestIds: string[],
  ): Promise<InventoryResult> {
    const listed = await clusters.clusters(requestIds);
    const found = await clusters.leftoverKubeconfigs(target, knownUids, listed, requestIds);
    // The worker never cleans itself, whatever name its kubeconfigs are listed under.
    const worker = await deps.worker();
    for (const k of found.leftovers) assertNotWorkerUid(worker, k.uid, identityRef(target.type, target.name));
    return {
      exists: false,
      target,
      leftoverKubeconfigs: found.leftovers,
      unattributedKubeconfigs: found.unattributed,
      clusters: listed.map(facts),
      requestIds,
    };
  }

  /** The clusters, with auditing known for those a clean of `clusterIds` (all when absent) touches. */
  async function clustersWithAuditing(clusterIds: readonly string[] | undefined, requestIds: string[]) {
    const listed = await clusters.clusters(requestIds);
    const result: ClusterFacts[] = [];
    for (const c of listed) {
      const touched = !clusterIds || clusterIds.includes(c.clusterId);
      result.push(touched ? { ...facts(c), auditLog: await clusters.auditLog(c, requestIds) } : facts(c));
    }
    return result;
  }

  return {
    async inventoryIdentity({ accountId, target, clusterIds, knownUids }) {
      const requestIds: string[] = [];
      const identity = await lookUp(accountId, target, requestIds);
      if (!identity) return absent(target, knownUids ?? [], requestIds);
      // By id, before anything more is read: the worker never offboards itself, whatever name it goes by.
      const uid = await checkResolvedUid(deps, identity.uid, target, 'offboarded');
      const { accessKeys, loginProfile, mfaSerialNumber, groups, policies } =
        target.type === 'user'
          ? await holdings.user(target.name, requestIds)
          : await holdings.role(target.name, requestIds);
      const kubeconfigs = await clusters.kubeconfigs(uid, requestIds);
      const grants = await clusters.grants(uid, requestIds);
      const inventory: Inventory = {
        target,
        uid,
        displayName: identity.displayName,
        accessKeys,
        loginProfile,
        mfaSerialNumber,
        groups,
        policies,
        trustPolicy: identity.trustPolicy,
        kubeconfigs,
        grants,
        clusters: await clustersWithAuditing(clusterIds, requestIds),
        takenAt: now().toISOString(),
        requestIds,
      };
      return { exists: true, inventory };
    },

    /** Only GetUser/GetRole: in the leaked-kubeconfig response every call before the clean costs time. */
    async resolveIdentity({ accountId, target, knownUids }) {
      const requestIds: string[] = [];
      const identity = await lookUp(accountId, target, requestIds);
      if (!identity) return absent(target, knownUids ?? [], requestIds);
      return { exists: true, uid: await checkResolvedUid(deps, identity.uid, target, 'cleaned'), requestIds };
    },

    async listClusters() {
      return (await clusters.clusters([])).map(facts);
    },
  };
}

function facts(c: ListedCluster): ClusterFacts {
  return { clusterId: c.clusterId, name: c.name };
}
