import { type DependencyFinding, type Inventory } from '../common/types';
import { type ActivityContext } from './deps';
import { type OffboardActivities } from './types';

/**
 * Dependency probes: each looks at an identity's inventory (and may look elsewhere) and reports findings. A
 * blocking finding makes the run wait for an admin's `resolveDependencies` decision; the others are evidence.
 * The worker configures the list; more probes (CI systems, secret stores) plug in here.
 */
export interface DependencyProbe {
  name: string;
  run(inventory: Inventory, now: Date): Promise<DependencyFinding[]> | DependencyFinding[];
}

/** An active access key used within the window is probably still relied upon (a CI job, a script). */
function recentAccessKeyUseProbe(windowMs: number): DependencyProbe {
  return {
    name: 'access-key-recent-use',
    run(inventory, now) {
      return inventory.accessKeys
        .filter((k) => k.status === 'Active' && k.lastUsedDate !== undefined)
        .filter((k) => now.getTime() - Date.parse(k.lastUsedDate as string) <= windowMs)
        .map((k) => ({
          probe: 'access-key-recent-use',
          blocking: true,
          summary: `access key ${k.accessKeyId} was used at ${k.lastUsedDate}, within the last ${Math.round(windowMs / 3_600_000)} h`,
          evidence: { accessKeyId: k.accessKeyId, lastUsedDate: k.lastUsedDate as string },
        }));
    },
  };
}

/** The cluster creator's admin grant: removing it may leave a cluster without its owner. */
const clusterOwnerProbe: DependencyProbe = {
  name: 'cluster-owner',
  run(inventory) {
    return inventory.grants
      .filter((g) => g.isOwner)
      .map((g) => ({
        probe: 'cluster-owner',
        blocking: true,
        summary: `owns cluster ${g.resourceId} (creator's admin grant)`,
        evidence: { resourceId: g.resourceId, roleType: g.roleType },
      }));
  },
};

/** Valid kubeconfigs are what revocation removes: evidence for the record, not a reason to stop. */
const validKubeconfigProbe: DependencyProbe = {
  name: 'valid-kubeconfig',
  run(inventory) {
    return inventory.kubeconfigs
      .filter((k) => k.certState === 'Unexpired')
      .map((k) => ({
        probe: 'valid-kubeconfig',
        blocking: false,
        summary: `valid kubeconfig on ${k.clusterId}${k.certExpireTime ? ` (expires ${k.certExpireTime})` : ''}: it will be revoked`,
        evidence: { clusterId: k.clusterId, certState: k.certState },
      }));
  },
};

/**
 * A cluster with API-server auditing off keeps no audit logs for Alibaba's 7-day check, so every clean without Force
 * touching it is refused: found up front (the inventory knows auditing for the clusters the clean touches), one
 * finding per cluster, and decided once for all of them — proceeding cleans with Force.
 */
const auditingOffProbe: DependencyProbe = {
  name: 'auditing-off',
  run(inventory) {
    return (inventory.clusters ?? [])
      .filter((c) => c.auditLog === false)
      .map((c) => ({
        probe: 'auditing-off',
        blocking: true,
        summary: `cluster ${c.clusterId}: API-server auditing is off, so Alibaba cannot check recent use there and refuses a clean without Force; proceeding cleans with Force`,
        evidence: { clusterId: c.clusterId },
      }));
  },
};

export function defaultProbes(recentUseWindowMs: number): DependencyProbe[] {
  return [recentAccessKeyUseProbe(recentUseWindowMs), clusterOwnerProbe, validKubeconfigProbe, auditingOffProbe];
}

/** Dependencies: runs the configured probes over the inventory. Read-only. */
export function dependencyActivities({ deps, now }: ActivityContext): Pick<OffboardActivities, 'checkDependencies'> {
  return {
    async checkDependencies({ inventory }) {
      const findings: DependencyFinding[] = [];
      for (const probe of deps.probes) findings.push(...(await probe.run(inventory, now())));
      return findings;
    },
  };
}
