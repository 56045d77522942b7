import { DAY_MS } from '../time';
import { type Fixture, resolveTime } from './fixture-schema';
import { generatedClusters, generatedKubeconfigs } from './generated-clusters';
import { KUBECONFIG_VALIDITY_MS, kubeconfigsOf, newSerial } from './kubeconfigs';
import { emptyRecycleBin, recycleUser, retentionMs } from './recycle-bin';
import {
  type AccessKeyState,
  type GrantState,
  type KubeconfigRecord,
  type PolicyAttachment,
  policyKey,
  type WorldState,
} from './world';

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
    account: {
      id: f.account.id,
      name: f.account.name,
      ...(f.account.alias !== undefined && { alias: f.account.alias }),
      rootAccessKeys: f.account.rootAccessKeys.map(key),
    },
    options: { ...f.options },
    policies: new Map(f.policies.map((p) => [policyKey(p.type, p.name), { ...p, created: t(p.created) }])),
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
    recycleBin: emptyRecycleBin(),
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
      ...(d.nameless && { nameless: true }),
    });
    const retention = retentionMs(world);
    if (d.inRecycleBin && retention !== undefined) {
      const created = t(d.created);
      const user = { id: d.id, name: d.name, displayName: d.displayName ?? d.name, created, updated: created };
      recycleUser(world, { ...user, accessKeys: [], groups: [], policies: [] }, t(d.deleted), retention);
    }
  }
  for (const d of f.deletedRoles) {
    world.deletedIdentities.set(d.id, {
      uid: d.id,
      kind: 'role',
      name: d.name,
      deleted: t(d.deleted),
      ...(d.nameless && { nameless: true }),
    });
  }
  for (const c of [...f.clusters, ...generatedClusters(f)]) {
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
      certStatesUnknown: c.certStatesUnknown,
      kubeconfigStatesDenied: c.kubeconfigStatesDenied,
      tags: c.tags,
    });
  }
  // By reference, built once: a generated fixture has 100 000 kubeconfigs to resolve. A live user wins over a
  // deleted one of the same name, as before.
  const uids = new Map<string, string>([['root', f.account.id]]);
  for (const u of f.deletedUsers) uids.set(`user/${u.name}`, u.id);
  for (const r of f.deletedRoles) uids.set(`role/${r.name}`, r.id);
  for (const u of f.users) uids.set(`user/${u.name}`, u.id);
  for (const r of f.roles) uids.set(`role/${r.name}`, r.id);
  const uidOf = (ref: string): string => uids.get(ref)!; // crossCheck guarantees it exists
  for (const k of [...f.kubeconfigs, ...generatedKubeconfigs(f)]) {
    const issued = tOpt(k.issued) ?? (k.state === 'Unissued' ? undefined : now - 180 * DAY_MS);
    const expires = tOpt(k.expires) ?? (issued === undefined ? undefined : issued + KUBECONFIG_VALIDITY_MS);
    const rec: KubeconfigRecord = {
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

/** The default trust policy: the account itself may assume the role. */
function trustPolicyFor(accountId: string): string {
  return JSON.stringify({
    Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${accountId}:root`] } }],
    Version: '1',
  });
}
