import { randomBytes } from 'node:crypto';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { RoutedActionDef } from '../action';
import { ApiError } from '../api-error';
import { revokeKubeconfig } from '../state/kubeconfigs';
import type { TaskFailureState, TaskState, WorldState } from '../state/world';
import { checkCleanAllowed } from './clean-rules';
import { grantCluster, storeGrants } from './grants';
import { boolParam, listParam, requireCluster, requireKnownUid } from './params';
import { describeTask } from './render';

/**
 * Cleaning an identity's permissions: revoke its kubeconfigs and remove its RBAC grants. CleanUserPermissions answers
 * with a task that lands later (clean-tasks.ts); CleanClusterUserPermissions cleans one cluster at once. What may
 * refuse a clean is in clean-rules.ts.
 */

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
      const ids = listParam(query, 'ClusterIds');
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
        ...(ctx.endTaskAs && { failure: { state: ctx.endTaskAs, message: TASK_FAILURE_MESSAGES[ctx.endTaskAs] } }),
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

const TASK_FAILURE_MESSAGES: Record<TaskFailureState, string> = {
  fail: 'Injected fault: the clean task failed on the cluster side.',
  timeout: 'Injected fault: the clean task timed out before the clusters answered.',
  canceled: 'Injected fault: the clean task was canceled.',
};

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
