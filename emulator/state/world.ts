import type { WorldOptions } from './options';
import type { RecycleBinState } from './recycle-bin';

/**
 * The emulated world: one Alibaba Cloud account with its RAM entities, ACK clusters, kubeconfig records and RBAC
 * grants. Kept in Maps (user-chosen names such as `__proto__` must not reach object prototypes) and converted to
 * plain JSON for persistence and the /__emulator/state dump (persistence.ts). Times are epoch milliseconds.
 */

export type CertState = 'Unexpired' | 'Expired' | 'Unissued' | 'Unknown' | 'Removed';
export type PolicyType = 'System' | 'Custom';

export interface AccessKeyState {
  id: string;
  secret: string;
  status: 'Active' | 'Inactive';
  created: number;
  lastUsed?: number;
}

export interface PolicyAttachment {
  name: string;
  type: PolicyType;
  attached: number;
  resourceGroupId?: string;
}

export interface UserState {
  id: string;
  name: string;
  displayName: string;
  email?: string;
  mobilePhone?: string;
  comments?: string;
  created: number;
  updated: number;
  lastLogin?: number;
  accessKeys: AccessKeyState[];
  loginProfile?: { created: number; passwordResetRequired: boolean; mfaBindRequired: boolean };
  mfa?: { serialNumber: string; type: 'VMFA' | 'U2F' };
  groups: { name: string; joined: number }[];
  policies: PolicyAttachment[];
}

export interface RoleState {
  id: string;
  name: string;
  description: string;
  assumeRolePolicyDocument: string;
  maxSessionDuration: number;
  created: number;
  updated: number;
  policies: PolicyAttachment[];
}

export interface GroupState {
  id: string;
  name: string;
  comments: string;
  created: number;
  policies: PolicyAttachment[];
}

export interface PolicyState {
  name: string;
  type: PolicyType;
  description: string;
  defaultVersion: string;
  created: number;
  /** The policy document of a custom policy (JSON text); system policies carry none here (see gateway/authorize.ts). */
  document?: string;
}

export interface ClusterState {
  id: string;
  name: string;
  state: string;
  clusterType: string;
  clusterSpec: string;
  profile: string;
  regionId: string;
  zoneId: string;
  version: string;
  size: number;
  created: number;
  vpcId: string;
  resourceGroupId: string;
  auditLog: boolean;
  /** The service cannot read this cluster's certificates: every issued kubeconfig reads `Unknown`, even after a clean. */
  certStatesUnknown: boolean;
  /** A cluster-scoped deny for the callers: ListClusterKubeconfigStates on it answers StatusForbidden. */
  kubeconfigStatesDenied: boolean;
  tags: { key: string; value: string }[];
}

/** What the service remembers of one identity's kubeconfig on one cluster, whether or not one was ever issued. */
export interface KubeconfigRecord {
  cluster: string;
  state: CertState;
  issued?: number;
  expires?: number;
  lastAccess?: number;
  removed?: number;
  /** Changes on every issuance, so a re-issued kubeconfig is visibly a different credential. */
  serial: string;
}

/** One RBAC grant, in DescribeUserPermission's terms. One grant per resource id (a cluster or cluster/namespace). */
export interface GrantState {
  resourceId: string;
  resourceType: 'cluster' | 'namespace' | 'console';
  roleType: string;
  roleName: string;
  isOwner: 0 | 1;
  isRamRole: 0 | 1;
}

/**
 * How a clean task ends without success, spelled as DescribeTaskInfo does (`fail` per the SDK model; `timeout` and
 * `canceled` as Alibaba's ack-ram-tool reads them).
 */
export type TaskFailureState = 'fail' | 'timeout' | 'canceled';

/** The task a CleanUserPermissions call leaves: `running` until `landsAt`, then `success` or its failure state. */
export interface TaskState {
  id: string;
  type: string;
  uid: string;
  targetType: 'user' | 'role' | 'account';
  clusterIds: string[];
  /** No ClusterIds given: the clean also removes all-clusters grants. */
  allClusters: boolean;
  force: boolean;
  state: 'running' | 'success' | TaskFailureState;
  created: number;
  landsAt: number;
  updated: number;
  /** Set when a task-ending fault fired (`task-fail`, `task-timeout`, `task-canceled`): the task ends so, and nothing changes. */
  failure?: { state: TaskFailureState; message: string };
}

export interface DeletedIdentity {
  uid: string;
  kind: 'user' | 'role';
  name: string;
  displayName?: string;
  deleted: number;
  /** RAM no longer resolves its name: ListClusterKubeconfigStates lists it without account_name/display name. */
  nameless?: boolean;
}

export interface WorldState {
  regionId: string;
  /** `alias`: the account alias in users' logon names (`<user>@<alias>.onaliyun.com`); the account id when unset. */
  account: { id: string; name: string; alias?: string; rootAccessKeys: AccessKeyState[] };
  /** The scenario switches: from the fixture's `options`, changed at run time by POST /__emulator/options. */
  options: WorldOptions;
  policies: Map<string, PolicyState>;
  groups: Map<string, GroupState>;
  users: Map<string, UserState>;
  roles: Map<string, RoleState>;
  deletedIdentities: Map<string, DeletedIdentity>;
  /** Deleted users and access keys RAM can still restore (empty unless the `recycleBin` option is on). */
  recycleBin: RecycleBinState;
  clusters: Map<string, ClusterState>;
  /** uid → cluster id → record. Keyed by uid, not name: deleting a RAM identity leaves these untouched. */
  kubeconfigs: Map<string, Map<string, KubeconfigRecord>>;
  grants: Map<string, GrantState[]>;
  tasks: Map<string, TaskState>;
}

/** The key of `WorldState.policies`: a System and a Custom policy may share a name. */
export function policyKey(type: string, name: string): string {
  return `${type}:${name}`;
}
