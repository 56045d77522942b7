import { randomBytes, randomInt } from 'node:crypto';
import { type Fixture, resolveTime } from './fixture';

/**
 * The emulated world: one Alibaba Cloud account with its RAM entities, ACK clusters, kubeconfig records and RBAC
 * grants. Kept in Maps (user-chosen names such as `__proto__` must not reach object prototypes) and converted to
 * plain JSON for persistence and the /__emulator/state dump. Times are epoch milliseconds.
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
  tags: { key: string; value: string }[];
}

export interface KubeconfigState {
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

export interface TaskState {
  id: string;
  type: string;
  uid: string;
  targetType: 'user' | 'role' | 'account';
  clusterIds: string[];
  /** No ClusterIds given: the clean also removes all-clusters grants. */
  allClusters: boolean;
  force: boolean;
  state: 'running' | 'success' | 'fail';
  created: number;
  landsAt: number;
  updated: number;
  failWith?: string;
}

export interface DeletedIdentity {
  uid: string;
  kind: 'user' | 'role';
  name: string;
  displayName?: string;
  deleted: number;
}

export interface WorldState {
  regionId: string;
  account: { id: string; name: string; rootAccessKeys: AccessKeyState[] };
  options: { deleteUserRequiresNoCredentials: boolean };
  policies: Map<string, PolicyState>;
  groups: Map<string, GroupState>;
  users: Map<string, UserState>;
  roles: Map<string, RoleState>;
  deletedIdentities: Map<string, DeletedIdentity>;
  clusters: Map<string, ClusterState>;
  /** uid → cluster id → record. Keyed by uid, not name: deleting a RAM identity leaves these untouched. */
  kubeconfigs: Map<string, Map<string, KubeconfigState>>;
  grants: Map<string, GrantState[]>;
  tasks: Map<string, TaskState>;
}

export const KUBECONFIG_VALIDITY_MS = 3 * 365 * 86_400_000;
export const DAY_MS = 86_400_000;

export function newSerial(): string {
  return randomBytes(8).toString('hex');
}

/** Numeric id like RAM's (16 digits for users, 19 for roles); the first digit is never 0. */
export function newNumericId(digits: number): string {
  let s = String(randomInt(1, 10));
  while (s.length < digits) s += String(randomInt(0, 10));
  return s;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function newAccessKey(now: number): AccessKeyState {
  const pick = (n: number): string => Array.from({ length: n }, () => ALNUM[randomInt(0, ALNUM.length)]).join('');
  return { id: `LTAI5t${pick(18)}`, secret: pick(30), status: 'Active', created: now };
}

export function trustPolicyFor(accountId: string): string {
  return JSON.stringify({
    Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${accountId}:root`] } }],
    Version: '1',
  });
}

/** Grant resource id ↔ cluster: `c1`, `c1/ns` or `all-clusters`. */
export function grantCluster(g: GrantState): string | undefined {
  if (g.resourceType === 'console') return undefined;
  const slash = g.resourceId.indexOf('/');
  return slash < 0 ? g.resourceId : g.resourceId.slice(0, slash);
}

/** Builds the world a fixture describes, with relative times anchored at `now`. */
export function worldFromFixture(f: Fixture, now: number): WorldState {
  const t = (v: string): number => resolveTime(v, now);
  const tOpt = (v: string | undefined): number | undefined => (v === undefined ? undefined : t(v));
  const key = (k: Fixture['account']['rootAccessKeys'][number]): AccessKeyState => ({
    id: k.id,
    secret: k.secret,
    status: k.status,
    created: t(k.created),
    ...(k.lastUsed !== undefined && { lastUsed: t(k.lastUsed) }),
  });
  const policyTypes = new Map(f.policies.map((p) => [p.name, p.type] as const));
  const attach = (names: string[], at: number): PolicyAttachment[] =>
    names.map((name) => ({ name, type: policyTypes.get(name) ?? 'System', attached: at }));

  const world: WorldState = {
    regionId: f.regionId,
    account: { id: f.account.id, name: f.account.name, rootAccessKeys: f.account.rootAccessKeys.map(key) },
    options: { ...f.options },
    policies: new Map(f.policies.map((p) => [policyKey(p.type, p.name), { ...p }])),
    groups: new Map(
      f.groups.map((g) => [
        g.name,
        {
          id: g.id,
          name: g.name,
          comments: g.comments,
          created: t(g.created),
          policies: attach(g.policies, t(g.created)),
        },
      ]),
    ),
    users: new Map(),
    roles: new Map(),
    deletedIdentities: new Map(),
    clusters: new Map(),
    kubeconfigs: new Map(),
    grants: new Map(),
    tasks: new Map(),
  };
  for (const u of f.users) {
    const created = t(u.created);
    world.users.set(u.name, {
      id: u.id,
      name: u.name,
      displayName: u.displayName ?? u.name,
      ...(u.email !== undefined && { email: u.email }),
      ...(u.mobilePhone !== undefined && { mobilePhone: u.mobilePhone }),
      ...(u.comments !== undefined && { comments: u.comments }),
      created,
      updated: created,
      ...(u.lastLogin !== undefined && { lastLogin: t(u.lastLogin) }),
      accessKeys: u.accessKeys.map(key),
      ...(u.loginProfile && {
        loginProfile: {
          created: t(u.loginProfile.created),
          passwordResetRequired: u.loginProfile.passwordResetRequired,
          mfaBindRequired: u.loginProfile.mfaBindRequired,
        },
      }),
      ...(u.mfa && { mfa: { ...u.mfa } }),
      groups: u.groups.map((name) => ({ name, joined: created })),
      policies: attach(u.policies, created),
    });
  }
  for (const r of f.roles) {
    const created = t(r.created);
    world.roles.set(r.name, {
      id: r.id,
      name: r.name,
      description: r.description,
      assumeRolePolicyDocument: r.assumeRolePolicyDocument ?? trustPolicyFor(f.account.id),
      maxSessionDuration: r.maxSessionDuration,
      created,
      updated: created,
      policies: attach(r.policies, created),
    });
  }
  for (const d of f.deletedUsers) {
    world.deletedIdentities.set(d.id, {
      uid: d.id,
      kind: 'user',
      name: d.name,
      ...(d.displayName !== undefined && { displayName: d.displayName }),
      deleted: t(d.deleted),
    });
  }
  for (const c of f.clusters) {
    const regionId = c.regionId ?? f.regionId;
    world.clusters.set(c.id, {
      id: c.id,
      name: c.name,
      state: c.state,
      clusterType: c.clusterType,
      clusterSpec: c.clusterSpec,
      profile: c.profile,
      regionId,
      zoneId: c.zoneId ?? `${regionId}-i`,
      version: c.version,
      size: c.size,
      created: t(c.created),
      vpcId: c.vpcId,
      resourceGroupId: c.resourceGroupId,
      auditLog: c.auditLog,
      tags: c.tags,
    });
  }
  const uidOf = (ref: string): string => {
    if (ref === 'root') return f.account.id;
    const [kind, name] = ref.split('/', 2);
    if (kind === 'role') return f.roles.find((r) => r.name === name)!.id; // crossCheck guarantees it exists
    return (f.users.find((u) => u.name === name) ?? f.deletedUsers.find((u) => u.name === name))!.id;
  };
  for (const k of f.kubeconfigs) {
    const issued = tOpt(k.issued) ?? (k.state === 'Unissued' ? undefined : now - 180 * DAY_MS);
    const expires = tOpt(k.expires) ?? (issued === undefined ? undefined : issued + KUBECONFIG_VALIDITY_MS);
    const rec: KubeconfigState = {
      cluster: k.cluster,
      state: k.state,
      serial: newSerial(),
      ...(issued !== undefined && { issued }),
      ...(expires !== undefined && { expires }),
      ...(k.lastAccess !== undefined && { lastAccess: t(k.lastAccess) }),
    };
    kubeconfigsOf(world, uidOf(k.identity)).set(k.cluster, rec);
  }
  for (const g of f.grants) {
    const uid = uidOf(g.identity);
    const grant: GrantState = {
      resourceId: g.cluster === undefined ? 'all-clusters' : g.namespace ? `${g.cluster}/${g.namespace}` : g.cluster,
      resourceType: g.cluster === undefined ? 'console' : g.namespace ? 'namespace' : 'cluster',
      roleType: g.custom ? 'custom' : g.role,
      roleName: g.custom ? g.role : '',
      isOwner: g.owner ? 1 : 0,
      isRamRole: g.identity.startsWith('role/') ? 1 : 0,
    };
    const list = world.grants.get(uid) ?? [];
    world.grants.set(uid, [...list.filter((x) => x.resourceId !== grant.resourceId), grant]);
  }
  return world;
}

export function policyKey(type: string, name: string): string {
  return `${type}:${name}`;
}

export function kubeconfigsOf(world: WorldState, uid: string): Map<string, KubeconfigState> {
  let m = world.kubeconfigs.get(uid);
  if (!m) {
    m = new Map();
    world.kubeconfigs.set(uid, m);
  }
  return m;
}

/** The state a kubeconfig shows now: an Unexpired certificate past its expiry reads as Expired. */
export function effectiveCertState(rec: KubeconfigState | undefined, now: number): CertState {
  if (!rec) return 'Unissued';
  if (rec.state === 'Unexpired' && rec.expires !== undefined && rec.expires <= now) return 'Expired';
  return rec.state;
}

// ---- persistence -------------------------------------------------------------------------------------------------

interface PersistedWorld {
  format: 'acs-offboarding-emulator-state';
  version: 1;
  savedAt: string;
  world: Record<string, unknown>;
}

/** Plain-JSON form of the world. `redactSecrets` is for dumps a person reads; persistence keeps them. */
export function worldToJson(world: WorldState, redactSecrets = false): Record<string, unknown> {
  const redact = (k: AccessKeyState): AccessKeyState => (redactSecrets ? { ...k, secret: '***' } : k);
  const obj = <V>(m: Map<string, V>): Record<string, V> => Object.fromEntries(m);
  return {
    regionId: world.regionId,
    account: { ...world.account, rootAccessKeys: world.account.rootAccessKeys.map(redact) },
    options: world.options,
    policies: [...world.policies.values()],
    groups: [...world.groups.values()],
    users: [...world.users.values()].map((u) => ({ ...u, accessKeys: u.accessKeys.map(redact) })),
    roles: [...world.roles.values()],
    deletedIdentities: [...world.deletedIdentities.values()],
    clusters: [...world.clusters.values()],
    kubeconfigs: Object.fromEntries([...world.kubeconfigs].map(([uid, m]) => [uid, [...m.values()]])),
    grants: obj(world.grants),
    tasks: [...world.tasks.values()],
  };
}

export function serializeWorld(world: WorldState): string {
  const doc: PersistedWorld = {
    format: 'acs-offboarding-emulator-state',
    version: 1,
    savedAt: new Date().toISOString(),
    world: worldToJson(world),
  };
  return JSON.stringify(doc);
}

/** Inverse of serializeWorld. The file is our own output, so only its envelope is checked. */
export function deserializeWorld(text: string): WorldState {
  const doc = JSON.parse(text) as PersistedWorld;
  if (doc.format !== 'acs-offboarding-emulator-state' || doc.version !== 1) {
    throw new Error('not an emulator state file (format/version mismatch)');
  }
  // The shape mirrors worldToJson exactly; the casts below undo that conversion.
  const w = doc.world as {
    regionId: string;
    account: WorldState['account'];
    options: WorldState['options'];
    policies: PolicyState[];
    groups: GroupState[];
    users: UserState[];
    roles: RoleState[];
    deletedIdentities: DeletedIdentity[];
    clusters: ClusterState[];
    kubeconfigs: Record<string, KubeconfigState[]>;
    grants: Record<string, GrantState[]>;
    tasks: TaskState[];
  };
  return {
    regionId: w.regionId,
    account: w.account,
    options: w.options,
    policies: new Map(w.policies.map((p) => [policyKey(p.type, p.name), p])),
    groups: new Map(w.groups.map((g) => [g.name, g])),
    users: new Map(w.users.map((u) => [u.name, u])),
    roles: new Map(w.roles.map((r) => [r.name, r])),
    deletedIdentities: new Map(w.deletedIdentities.map((d) => [d.uid, d])),
    clusters: new Map(w.clusters.map((c) => [c.id, c])),
    kubeconfigs: new Map(
      Object.entries(w.kubeconfigs).map(([uid, recs]) => [uid, new Map(recs.map((r) => [r.cluster, r]))]),
    ),
    grants: new Map(Object.entries(w.grants)),
    tasks: new Map(w.tasks.map((t) => [t.id, t])),
  };
}
