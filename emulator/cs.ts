import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AlibabaErrorCodes as E } from '../common/alibaba-error-codes';
import { ApiError } from './errors';
import { type ActionDef, type CallContext, iso, resolveUid, type ResolvedIdentity } from './model';
import {
  type ClusterState,
  DAY_MS,
  effectiveCertState,
  grantCluster,
  type GrantState,
  KUBECONFIG_VALIDITY_MS,
  kubeconfigsOf,
  newSerial,
  type TaskState,
  type WorldState,
} from './state';

/**
 * Container Service (ACK/ACS) 2015-12-15, ROA style: routed by method + path, snake_case bodies. Where the reference
 * has gaps (§7) the choice made is commented; synthetic error codes live in common/alibaba-error-codes.ts.
 */

const RECENT_ACCESS_WINDOW_MS = 7 * DAY_MS;
const PREDEFINED_ROLES = ['admin', 'admin-view', 'ops', 'dev', 'restricted'];

const invalid = (message: string): ApiError => new ApiError(E.csInvalidParameter, 400, message);

function requireCluster(world: WorldState, id: string): ClusterState {
  const cluster = world.clusters.get(id);
  if (!cluster) throw new ApiError(E.clusterNotFound, 404, `The cluster ${id} was not found.`);
  return cluster;
}

function requireKnownUid(world: WorldState, uid: string): ResolvedIdentity {
  const who = resolveUid(world, uid);
  // SYNTHETIC code (see common): the real service's answer for a uid foreign to the account is undocumented.
  if (!who) throw new ApiError(E.csUserNotFound, 404, `The user or role ${uid} does not exist in this account.`);
  return who;
}

function boolParam(q: Record<string, string>, name: string): boolean | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(`${name} must be true or false.`);
}

function intParam(q: Record<string, string>, name: string, min: number, max: number, dflt: number): number {
  const v = q[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${name} must be an integer from ${min} to ${max}.`);
  return n;
}

function page<T>(items: T[], pageNumber: number, pageSize: number): T[] {
  return items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
}

/** The three refusals the docs give for both Clean operations: root account, the caller itself, recent access. */
function checkCleanAllowed(ctx: CallContext, who: ResolvedIdentity, clusters: ClusterState[], force: boolean): void {
  // SYNTHETIC codes: the docs state the rules but not the codes; 400 like other ACK business-rule refusals.
  if (who.kind === 'root') {
    throw new ApiError(
      E.cleanRootNotSupported,
      400,
      'Cleaning the permissions of the Alibaba Cloud account is not supported.',
    );
  }
  if (who.uid === ctx.caller.uid) {
    throw new ApiError(
      E.cleanSelfNotSupported,
      400,
      'Cleaning the permissions of the calling identity is not supported.',
    );
  }
  if (force) return;
  const records = ctx.world.kubeconfigs.get(who.uid);
  for (const cluster of clusters) {
    // "If access records exist or cannot be retrieved, deletion is refused": no audit log means cannot retrieve.
    if (!cluster.auditLog) {
      throw new ApiError(
        E.recentClusterAccess,
        400,
        `Cannot check the access records of cluster ${cluster.id} (audit logging is disabled); set Force=true to clean anyway.`,
      );
    }
    const last = records?.get(cluster.id)?.lastAccess;
    if (last !== undefined && ctx.now - last < RECENT_ACCESS_WINDOW_MS) {
      throw new ApiError(
        E.recentClusterAccess,
        400,
        `${who.uid} accessed cluster ${cluster.id} within the last 7 days (last access ${iso(last)}); ` +
          'set Force=true to clean anyway.',
      );
    }
  }
}

/** Revokes the kubeconfigs (state Removed) and removes the RBAC grants of `uid` on `clusterIds`. */
export function applyClean(
  world: WorldState,
  uid: string,
  clusterIds: string[],
  allClusters: boolean,
  now: number,
): void {
  const records = world.kubeconfigs.get(uid);
  for (const id of clusterIds) {
    const rec = records?.get(id);
    if (rec && rec.state !== 'Unissued' && rec.state !== 'Removed') {
      rec.state = 'Removed';
      rec.removed = now;
    }
  }
  const grants = world.grants.get(uid);
  if (grants) {
    const cleaned = new Set(clusterIds);
    const kept = grants.filter((g) => {
      const c = grantCluster(g);
      // An all-clusters grant goes only with a clean of all clusters; a per-cluster clean leaves it (documented).
      return c === undefined ? !allClusters : !cleaned.has(c);
    });
    storeGrants(world, uid, kept);
  }
}

/** Lands every clean task whose delay has passed. Cheap when nothing is pending. */
export function settleTasks(world: WorldState, pending: Set<string>, now: number): boolean {
  if (pending.size === 0) return false;
  let changed = false;
  for (const id of pending) {
    const task = world.tasks.get(id);
    if (!task) {
      pending.delete(id);
      continue;
    }
    if (task.landsAt > now) continue;
    if (task.failWith) {
      task.state = 'fail';
    } else {
      applyClean(world, task.uid, task.clusterIds, task.allClusters, task.landsAt);
      task.state = 'success';
    }
    task.updated = task.landsAt;
    pending.delete(id);
    changed = true;
  }
  return changed;
}

function grantsOf(world: WorldState, uid: string): GrantState[] {
  return world.grants.get(uid) ?? [];
}

/**
 * A full overwrite of an identity's grants (GrantPermissions, UpdateUserPermissions mode=apply): the cluster-owner
 * records are not the caller's to drop, unless the new list covers that resource itself.
 */
function overwriteGrants(current: GrantState[], next: GrantState[]): GrantState[] {
  const owners = current.filter((g) => g.isOwner === 1 && !next.some((n) => n.resourceId === g.resourceId));
  return [...owners, ...next];
}

function storeGrants(world: WorldState, uid: string, grants: GrantState[]): void {
  if (grants.length > 0) world.grants.set(uid, grants);
  else world.grants.delete(uid);
}

/** Clusters on which the caller is RBAC admin ('all' for the account or an all-clusters admin). */
function rbacAdminScope(ctx: CallContext): 'all' | Set<string> {
  if (ctx.caller.kind === 'root') return 'all';
  const scope = new Set<string>();
  for (const g of grantsOf(ctx.world, ctx.caller.uid)) {
    if (g.roleType !== 'admin') continue;
    if (g.resourceType === 'console') return 'all';
    if (g.resourceType === 'cluster') scope.add(g.resourceId);
  }
  return scope;
}

function hasClusterGrant(world: WorldState, uid: string, clusterId: string): boolean {
  return grantsOf(world, uid).some((g) => g.resourceType === 'console' || grantCluster(g) === clusterId);
}

const grantItemSchema = z.object({
  cluster: z.string().optional(),
  is_custom: z.boolean().optional(),
  is_ram_role: z.boolean().optional(),
  namespace: z.string().optional(),
  role_name: z.string().optional(),
  role_type: z.string().optional(),
});
const grantBodySchema = z.array(grantItemSchema);

/** GrantPermissions/UpdateUserPermissions body → grants, with the documented scope rules. */
function parseGrants(world: WorldState, body: unknown, isRamRole: boolean): GrantState[] {
  const parsed = grantBodySchema.safeParse(body ?? []);
  if (!parsed.success) throw invalid('The request body must be a JSON array of permission grants.');
  const seen = new Set<string>();
  return parsed.data.map((item) => {
    const roleName = item.role_name ?? '';
    if (!roleName) throw invalid('role_name is required.');
    const custom = item.is_custom === true;
    if (!custom && !PREDEFINED_ROLES.includes(roleName)) {
      throw invalid(`role_name ${roleName} is not a predefined role; set is_custom=true for a custom ClusterRole.`);
    }
    let resourceId: string;
    let resourceType: GrantState['resourceType'];
    switch (item.role_type) {
      case 'all-clusters':
        if (roleName === 'admin-view') throw invalid('admin-view cannot be granted on all clusters.');
        resourceId = 'all-clusters';
        resourceType = 'console';
        break;
      case 'cluster':
        requireCluster(world, item.cluster ?? '');
        resourceId = item.cluster!;
        resourceType = 'cluster';
        break;
      case 'namespace':
        requireCluster(world, item.cluster ?? '');
        if (!item.namespace) throw invalid('namespace is required when role_type is namespace.');
        if (['admin', 'admin-view', 'ops'].includes(roleName)) throw invalid(`${roleName} cannot be namespace-scoped.`);
        resourceId = `${item.cluster}/${item.namespace}`;
        resourceType = 'namespace';
        break;
      default:
        throw invalid('role_type must be cluster, namespace or all-clusters.');
    }
    if (seen.has(resourceId)) throw invalid(`More than one grant for ${resourceId}.`);
    seen.add(resourceId);
    return {
      resourceId,
      resourceType,
      roleType: custom ? 'custom' : roleName,
      roleName: custom ? roleName : '',
      isOwner: 0,
      isRamRole: isRamRole ? 1 : 0,
    };
  });
}

function requireGrantTarget(world: WorldState, uid: string): ResolvedIdentity {
  const who = requireKnownUid(world, uid);
  if (who.kind === 'root') throw invalid('RBAC permissions of the Alibaba Cloud account cannot be changed.');
  if (who.kind === 'deleted') throw new ApiError(E.csUserNotFound, 404, `The user or role ${uid} has been deleted.`);
  return who;
}

/** A RAM caller may only change grants on clusters where it is RBAC admin. */
function checkGrantScope(ctx: CallContext, touched: GrantState[]): void {
  const scope = rbacAdminScope(ctx);
  if (scope === 'all') return;
  for (const g of touched) {
    const c = grantCluster(g);
    if (c === undefined || !scope.has(c)) {
      throw new ApiError(
        E.forbiddenGrantPermissions,
        403,
        `The caller is not RBAC admin of ${c ?? 'all clusters'} and cannot change permissions there.`,
      );
    }
  }
}

function accountType(who: ResolvedIdentity | undefined): string {
  if (who?.kind === 'root') return 'RootAccount';
  if (who?.kind === 'role' || (who?.kind === 'deleted' && who.deleted.kind === 'role')) return 'RamRole';
  return 'RamUser';
}

function describeGrant(g: GrantState): Record<string, unknown> {
  return {
    resource_id: g.resourceId,
    resource_type: g.resourceType,
    role_name: g.roleName,
    role_type: g.roleType,
    is_owner: g.isOwner,
    is_ram_role: g.isRamRole,
  };
}

function clusterSummary(c: ClusterState): Record<string, unknown> {
  return {
    cluster_id: c.id,
    name: c.name,
    cluster_type: c.clusterType,
    cluster_spec: c.clusterSpec,
    profile: c.profile,
    region_id: c.regionId,
    zone_id: c.zoneId,
    state: c.state,
    current_version: c.version,
    init_version: c.version,
    next_version: '',
    created: iso(c.created),
    updated: iso(c.created),
    size: c.size,
    vpc_id: c.vpcId,
    vswitch_id: `vsw-${c.id}`,
    vswitch_ids: [`vsw-${c.id}`],
    security_group_id: `sg-${c.id}`,
    resource_group_id: c.resourceGroupId,
    container_cidr: '172.20.0.0/16',
    service_cidr: '192.168.0.0/16',
    subnet_cidr: '172.20.0.0/16',
    proxy_mode: 'ipvs',
    network_mode: 'vpc',
    ip_stack: 'ipv4',
    master_url: JSON.stringify({
      api_server_endpoint: `https://${c.id}.emulator.invalid:6443`,
      intranet_api_server_endpoint: `https://192.168.0.1:6443`,
    }),
    meta_data: JSON.stringify({ AuditProjectName: c.auditLog ? `k8s-log-${c.id}` : '' }),
    tags: c.tags,
    timezone: 'Asia/Shanghai',
    deletion_protection: true,
    private_zone: false,
    worker_ram_role_name: `KubernetesWorkerRole-${c.id}`,
    cluster_domain: 'cluster.local',
    external_loadbalancer_id: `lb-${c.id}`,
    maintenance_window: { enable: false },
    operation_policy: { cluster_auto_upgrade: { enabled: false, channel: 'stable' } },
  };
}

function kubeconfigYaml(c: ClusterState, uid: string, serial: string, privateIp: boolean, expires: number): string {
  // Not a usable credential: a recognisable placeholder whose serial changes on every issuance.
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const server = privateIp ? 'https://192.168.0.1:6443' : `https://${c.id}.emulator.invalid:6443`;
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(`EMULATOR CA ${c.id}`)}`,
    '  name: kubernetes',
    'contexts:',
    '- context:',
    '    cluster: kubernetes',
    `    user: "${uid}"`,
    `  name: ${uid}-${c.id}`,
    `current-context: ${uid}-${c.id}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: "${uid}"`,
    '  user:',
    `    client-certificate-data: ${b64(`EMULATOR CERT cluster=${c.id} uid=${uid} serial=${serial} notAfter=${iso(expires)}`)}`,
    `    client-key-data: ${b64(`EMULATOR KEY serial=${serial}`)}`,
    '',
  ].join('\n');
}

function describeTask(t: TaskState): Record<string, unknown> {
  return {
    task_id: t.id,
    // Not documented how CleanUserPermissions tasks are typed (reference §7); named after the operation.
    task_type: t.type,
    state: t.state,
    cluster_id: t.clusterIds.length === 1 ? t.clusterIds[0] : '',
    created: iso(t.created),
    updated: iso(t.updated),
    current_stage: t.state === 'running' ? 'CleanUserPermissions' : '',
    target: { id: t.uid, type: t.targetType },
    parameters: { uid: t.uid, cluster_ids: t.clusterIds.join(','), force: String(t.force) },
    stages: [],
    events: [],
    task_result:
      t.state === 'running'
        ? []
        : t.clusterIds.map((id) => ({ data: id, status: t.state === 'success' ? 'success' : 'failed' })),
    ...(t.state === 'fail' && { error: { code: E.cleanTaskFailed, message: t.failWith ?? 'clean task failed' } }),
  };
}

export const csActions: ActionDef[] = [
  {
    product: 'cs',
    name: 'CleanUserPermissions',
    need: 'cs-full',
    method: 'DELETE',
    path: '/users/:Uid/permissions',
    run(ctx, { path, query }) {
      const { world } = ctx;
      const force = boolParam(query, 'Force') ?? false;
      const ids = (query.ClusterIds ?? '').split(',').filter((s) => s !== '');
      const clusters =
        ids.length > 0 ? [...new Set(ids)].map((id) => requireCluster(world, id)) : [...world.clusters.values()];
      const who = requireKnownUid(world, path.Uid);
      checkCleanAllowed(ctx, who, clusters, force);
      const task: TaskState = {
        id: `clean-user-permissions-${who.uid}-${randomBytes(6).toString('hex')}`,
        type: 'clean_user_permissions',
        uid: who.uid,
        targetType: who.kind === 'role' ? 'role' : 'user',
        clusterIds: clusters.map((c) => c.id),
        allClusters: ids.length === 0,
        force,
        state: 'running',
        created: ctx.now,
        landsAt: ctx.now + ctx.taskDelayMs,
        updated: ctx.now,
        ...(ctx.failTask && { failWith: 'Injected fault: the clean task failed on the cluster side.' }),
      };
      world.tasks.set(task.id, task);
      ctx.pendingTasks.add(task.id);
      return { request_id: ctx.requestId, task_id: task.id };
    },
  },
  {
    product: 'cs',
    name: 'CleanClusterUserPermissions',
    need: 'cs-full',
    method: 'DELETE',
    path: '/cluster/:ClusterId/user/:Uid/permissions',
    run(ctx, { path, query }) {
      const force = boolParam(query, 'Force') ?? false;
      const cluster = requireCluster(ctx.world, path.ClusterId);
      const who = requireKnownUid(ctx.world, path.Uid);
      checkCleanAllowed(ctx, who, [cluster], force);
      // Synchronous here: the operation returns no task id, so there is nothing to follow.
      applyClean(ctx.world, who.uid, [cluster.id], false, ctx.now);
      return {};
    },
  },
  {
    product: 'cs',
    name: 'RevokeK8sClusterKubeConfig',
    need: 'self',
    method: 'DELETE',
    path: '/k8s/:ClusterId/certs',
    run(ctx, { path }) {
      const cluster = requireCluster(ctx.world, path.ClusterId);
      // Acts on the caller's own kubeconfig only; RBAC grants stay, so a fresh kubeconfig can be fetched again.
      const rec = ctx.world.kubeconfigs.get(ctx.caller.uid)?.get(cluster.id);
      if (rec && rec.state !== 'Unissued' && rec.state !== 'Removed') {
        rec.state = 'Removed';
        rec.removed = ctx.now;
      }
      return {};
    },
  },
  {
    product: 'cs',
    name: 'ListUserKubeConfigStates',
    need: 'cs-full',
    method: 'GET',
    path: '/users/:Uid/kubeconfig/states',
    run(ctx, { path, query }) {
      const { world } = ctx;
      const pageNumber = intParam(query, 'page_number', 1, 1_000_000, 1);
      const pageSize = intParam(query, 'page_size', 1, 100, 50);
      const who = requireKnownUid(world, path.Uid);
      const records = world.kubeconfigs.get(who.uid);
      const clusters = [...world.clusters.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      return {
        page: { page_number: pageNumber, page_size: pageSize, total_count: clusters.length },
        states: page(clusters, pageNumber, pageSize).map((c) => {
          const rec = records?.get(c.id);
          return {
            cluster_id: c.id,
            cluster_name: c.name,
            cluster_state: c.state,
            cert_state: effectiveCertState(rec, ctx.now),
            cert_expire_time: rec?.expires !== undefined ? iso(rec.expires) : '',
          };
        }),
      };
    },
  },
  {
    product: 'cs',
    name: 'ListClusterKubeconfigStates',
    need: 'cs-full+ram-read',
    method: 'GET',
    path: '/clusters/:ClusterId/kubeconfig/states',
    run(ctx, { path, query }) {
      const { world } = ctx;
      const pageNumber = intParam(query, 'pageNumber', 1, 1_000_000, 1);
      const pageSize = intParam(query, 'pageSize', 1, 50, 10);
      const cloudService = boolParam(query, 'cloudServiceKubeConfig') ?? false;
      const cluster = requireCluster(world, path.ClusterId);
      const rows: Record<string, unknown>[] = [];
      // The fixture has no cloud-service roles, so that listing is empty.
      if (!cloudService) {
        for (const [uid, records] of world.kubeconfigs) {
          const rec = records.get(cluster.id);
          const state = effectiveCertState(rec, ctx.now);
          if (!rec || (state !== 'Unexpired' && state !== 'Expired' && state !== 'Unknown')) continue;
          const who = resolveUid(world, uid);
          rows.push({
            account_id: uid,
            account_name: who?.name ?? '',
            account_display_name:
              who?.kind === 'user'
                ? who.user.displayName
                : who?.kind === 'deleted'
                  ? (who.deleted.displayName ?? who.name)
                  : (who?.name ?? ''),
            account_type: accountType(who),
            // The very risk this project exists for: a deleted identity's kubeconfig still listed as valid.
            account_state: who === undefined || who.kind === 'deleted' ? 'Deleted' : 'Active',
            cert_state: state,
            cert_expire_time: rec.expires !== undefined ? iso(rec.expires) : '',
            revokable: true,
          });
        }
        rows.sort((a, b) => (String(a.account_id) < String(b.account_id) ? -1 : 1));
      }
      return {
        page: { page_number: pageNumber, page_size: pageSize, total_count: rows.length },
        states: page(rows, pageNumber, pageSize),
      };
    },
  },
  {
    product: 'cs',
    name: 'DescribeUserPermission',
    need: 'cs-full',
    method: 'GET',
    path: '/permissions/users/:uid',
    run(ctx, { path }) {
      const who = requireKnownUid(ctx.world, path.uid);
      const scope = rbacAdminScope(ctx);
      // A RAM caller sees only grants on clusters where it is RBAC admin (documented).
      return grantsOf(ctx.world, who.uid)
        .filter((g) => {
          if (scope === 'all') return true;
          const c = grantCluster(g);
          return c !== undefined && scope.has(c);
        })
        .map(describeGrant);
    },
  },
  {
    product: 'cs',
    name: 'GrantPermissions',
    need: 'cs-full',
    method: 'POST',
    path: '/permissions/users/:uid',
    run(ctx, { path, body }) {
      const { world } = ctx;
      const who = requireGrantTarget(world, path.uid);
      const next = parseGrants(world, body, who.kind === 'role');
      const current = grantsOf(world, who.uid);
      checkGrantScope(ctx, [...current, ...next]);
      storeGrants(world, who.uid, overwriteGrants(current, next));
      return {};
    },
  },
  {
    product: 'cs',
    name: 'UpdateUserPermissions',
    need: 'cs-full',
    method: 'POST',
    path: '/permissions/users/:uid/update',
    run(ctx, { path, query, body }) {
      const { world } = ctx;
      const mode = query.mode || 'apply';
      if (mode !== 'apply' && mode !== 'delete' && mode !== 'patch')
        throw invalid('mode must be apply, delete or patch.');
      const who = requireGrantTarget(world, path.uid);
      const listed = parseGrants(world, body, who.kind === 'role');
      const current = grantsOf(world, who.uid);
      let next: GrantState[];
      if (mode === 'apply') {
        // Undocumented for an empty list (reference §7); treated like GrantPermissions: a full overwrite.
        checkGrantScope(ctx, [...current, ...listed]);
        next = overwriteGrants(current, listed);
      } else {
        checkGrantScope(ctx, listed);
        const byId = new Set(listed.map((g) => g.resourceId));
        const kept = current.filter((g) =>
          mode === 'delete'
            ? !listed.some(
                (l) => l.resourceId === g.resourceId && l.roleType === g.roleType && l.roleName === g.roleName,
              )
            : !byId.has(g.resourceId),
        );
        next = mode === 'delete' ? kept : [...kept, ...listed];
      }
      storeGrants(world, who.uid, next);
      return {};
    },
  },
  {
    product: 'cs',
    name: 'DescribeClusterUserKubeconfig',
    need: 'cs-read',
    method: 'GET',
    path: '/k8s/:ClusterId/user_config',
    run(ctx, { path, query }) {
      const { world, caller, now } = ctx;
      const privateIp = boolParam(query, 'PrivateIpAddress') ?? false;
      const minutes = query.TemporaryDurationMinutes
        ? intParam(query, 'TemporaryDurationMinutes', 15, 4320, 60)
        : undefined;
      const cluster = requireCluster(world, path.ClusterId);
      // A kubeconfig is issued only to an identity granted RBAC permissions on the cluster (the account always is).
      if (caller.kind !== 'root' && !hasClusterGrant(world, caller.uid, cluster.id)) {
        throw new ApiError(E.csForbidden, 403, `${caller.identity} has no RBAC permissions on cluster ${cluster.id}.`);
      }
      const records = kubeconfigsOf(world, caller.uid);
      let rec = records.get(cluster.id);
      const expires = minutes !== undefined ? now + minutes * 60_000 : now + KUBECONFIG_VALIDITY_MS;
      if (effectiveCertState(rec, now) !== 'Unexpired') {
        rec = {
          cluster: cluster.id,
          state: 'Unexpired',
          issued: now,
          expires,
          serial: newSerial(),
          ...(rec?.lastAccess !== undefined && { lastAccess: rec.lastAccess }),
        };
        records.set(cluster.id, rec);
      }
      const shown = minutes !== undefined ? expires : rec!.expires!;
      return {
        config: kubeconfigYaml(
          cluster,
          caller.uid,
          minutes !== undefined ? newSerial() : rec!.serial,
          privateIp,
          shown,
        ),
        expiration: iso(shown),
      };
    },
  },
  {
    product: 'cs',
    name: 'DescribeClustersV1',
    need: 'cs-read',
    method: 'GET',
    path: '/api/v1/clusters',
    run(ctx, { query }) {
      const pageNumber = intParam(query, 'page_number', 1, 1_000_000, 1);
      const pageSize = intParam(query, 'page_size', 1, 100, 10);
      const matches = [...ctx.world.clusters.values()]
        .filter(
          (c) =>
            (!query.cluster_id || c.id === query.cluster_id) &&
            // The console's name filter is a substring match.
            (!query.name || c.name.includes(query.name)) &&
            (!query.cluster_type || c.clusterType === query.cluster_type) &&
            (!query.cluster_spec || c.clusterSpec === query.cluster_spec) &&
            (!query.profile || c.profile === query.profile) &&
            (!query.region_id || c.regionId === query.region_id),
        )
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      return {
        clusters: page(matches, pageNumber, pageSize).map(clusterSummary),
        page_info: { page_number: pageNumber, page_size: pageSize, total_count: matches.length },
      };
    },
  },
  {
    product: 'cs',
    name: 'DescribeClusterDetail',
    need: 'cs-read',
    method: 'GET',
    path: '/clusters/:ClusterId',
    run(ctx, { path }) {
      const c = requireCluster(ctx.world, path.ClusterId);
      return {
        ...clusterSummary(c),
        parameters: { KubernetesVersion: c.version, ClusterSpec: c.clusterSpec },
        rrsa_config: { enabled: false },
        extra_sans: [],
        node_cidr_mask: '26',
        auto_mode: { enable: false },
      };
    },
  },
  {
    product: 'cs',
    name: 'DescribeTaskInfo',
    need: 'cs-read',
    method: 'GET',
    path: '/tasks/:taskId',
    run(ctx, { path }) {
      const task = ctx.world.tasks.get(path.taskId);
      if (!task) throw new ApiError(E.taskNotFound, 404, `The task ${path.taskId} was not found.`);
      return describeTask(task);
    },
  },
];
