import { randomBytes } from 'node:crypto';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { CallContext, RoutedActionDef } from '../action';
import { ApiError } from '../api-error';
import type { ResolvedIdentity } from '../state/identities';
import { revokeKubeconfig } from '../state/kubeconfigs';
import type { ClusterState, TaskState, WorldState } from '../state/world';
import { DAY_MS, iso } from '../time';
import { grantCluster, storeGrants } from './grants';
import { boolParam, requireCluster, requireKnownUid } from './params';
import { describeTask } from './render';

/**
 * Cleaning an identity's permissions: revoke its kubeconfigs and remove its RBAC grants. CleanUserPermissions answers
 * with a task that lands later (clean-tasks.ts); CleanClusterUserPermissions cleans one cluster at once.
 */

const RECENT_ACCESS_WINDOW_MS = 7 * DAY_MS;

export const cleanActions: RoutedActionDef[] = [
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
      ctx.startTask(task);
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
  for (const id of clusterIds) revokeKubeconfig(records?.get(id), now);
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
