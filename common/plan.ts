import { DENY_ALL_POLICY, isLockedTrustPolicy } from './lockout';
import {
  type DependencyFinding,
  type Inventory,
  type InventoryResult,
  type KubeconfigState,
  type TargetIdentity,
} from './types';

/**
 * The dry run of an offboarding: what a run would quarantine, revoke and delete, and what it would stop for, built
 * from a read-only inventory and the dependency probes. Nothing is changed to make it.
 */

export interface Plan {
  target: TargetIdentity;
  accountId: string;
  exists: boolean;
  uid?: string;
  quarantine: string[];
  revoke: { mode: 'all-clusters' | 'per-cluster'; kubeconfigs: KubeconfigState[]; grants: number };
  delete: string[];
  findings: DependencyFinding[];
  blocking: boolean;
  notKnowable: string[];
  leftoverKubeconfigs?: KubeconfigState[];
  requestIds: string[];
}

export function buildPlan(
  accountId: string,
  result: InventoryResult,
  findings: DependencyFinding[],
  clusterIds?: string[],
): Plan {
  const notKnowable = [
    'Alibaba refuses a clean without Force when the identity used a cluster in the last 7 days; that is only known ' +
      'when the run asks (it asks without Force first, and a refusal becomes a finding for an admin to resolve).',
  ];
  if (!result.exists) {
    return {
      target: result.target,
      accountId,
      exists: false,
      quarantine: [],
      revoke: { mode: clusterIds ? 'per-cluster' : 'all-clusters', kubeconfigs: result.leftoverKubeconfigs, grants: 0 },
      delete: [],
      findings: [],
      blocking: false,
      notKnowable: [],
      leftoverKubeconfigs: result.leftoverKubeconfigs,
      requestIds: result.requestIds,
    };
  }
  const inv: Inventory = result.inventory;
  const inScope = (clusterId: string) => !clusterIds || clusterIds.includes(clusterId);
  const denied = inv.policies.some((p) => p.policyType === 'Custom' && p.policyName === DENY_ALL_POLICY);
  const quarantine = [
    ...(denied ? [] : [`attach the deny-all policy ${DENY_ALL_POLICY} (open sessions stop too)`]),
    ...inv.accessKeys.filter((k) => k.status === 'Active').map((k) => `deactivate access key ${k.accessKeyId}`),
    ...(inv.loginProfile ? ['block console login'] : []),
    ...(inv.target.type === 'role' && !isLockedTrustPolicy(inv.trustPolicy)
      ? ['replace the trust policy with one nobody can assume (the current one is kept for restore)']
      : []),
  ];
  // What deletion will find attached: the identity's policies and, from quarantine, the deny-all one.
  const policies = denied ? inv.policies : [...inv.policies, { policyName: DENY_ALL_POLICY, policyType: 'Custom' }];
  const del =
    inv.target.type === 'user'
      ? [
          ...inv.accessKeys.map((k) => `delete access key ${k.accessKeyId}`),
          ...inv.groups.map((g) => `remove from group ${g}`),
          ...policies.map((p) => `detach policy ${p.policyName} (${p.policyType})`),
          ...(inv.loginProfile ? ['delete login profile'] : []),
          ...(inv.mfaSerialNumber ? ['unbind MFA device'] : []),
          `DeleteUser ${inv.target.name}`,
        ]
      : [...policies.map((p) => `detach policy ${p.policyName} (${p.policyType})`), `DeleteRole ${inv.target.name}`];
  return {
    target: inv.target,
    accountId,
    exists: true,
    uid: inv.uid,
    quarantine,
    revoke: {
      mode: clusterIds ? 'per-cluster' : 'all-clusters',
      kubeconfigs: inv.kubeconfigs.filter((k) => inScope(k.clusterId)),
      grants: inv.grants.filter((g) => inScope(g.resourceId.split('/')[0])).length,
    },
    delete: del,
    findings,
    blocking: findings.some((f) => f.blocking),
    notKnowable,
    requestIds: inv.requestIds,
  };
}
