import * as $cs from '@alicloud/cs20151215';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { AlibabaErrorCodes as C } from '../common/alibaba-error-codes';
import { FailureType } from '../common/errors';
import { type RbacGrant } from '../common/types';
import { asCleanRefusal, type AlibabaErrorFacts, isNotFound } from './classify';
import { type ActivityContext } from './deps';
import { assertNotWorker, invalidInput } from './run-policy';
import { pauseWithHeartbeat, requestIdOf, stepResult } from './sdk-call';
import { type OffboardActivities } from './types';

/** DescribeTaskInfo states that end a task without success (as the SDK model and Alibaba's ack-ram-tool spell them). */
const FAILED_TASK_STATES: readonly string[] = ['fail', 'failed', 'timeout', 'canceled', 'cancelled'];

/**
 * Following a clean task: the next look comes when the task is a fifth older than at the last one, at least 50 ms and
 * at most 2 s later, 20 s a try. A task is so seen done within a fifth of its age (50 ms while it is young) after it
 * ended: a 300 ms task at 300–360 ms (with looks 1.5× further apart each time, as before, at 475 ms). Each look is one
 * DescribeTaskInfo, a CS read: 6 looks for a 300 ms task (4 before), 22 for a 5 s one (10), at most 30 in a 20 s try.
 */
const SHORTEST_POLL_MS = 50;
const LONGEST_POLL_MS = 2_000;
const POLL_GROWTH = 0.2;
const CLEAN_TASK_POLL_BUDGET_MS = 20_000;

/** How long to wait before the next look at a clean task followed for `elapsedMs` so far. */
export function nextCleanTaskLookInMs(elapsedMs: number): number {
  return Math.min(LONGEST_POLL_MS, Math.max(SHORTEST_POLL_MS, elapsedMs * POLL_GROWTH));
}

type RevocationActivities = Pick<OffboardActivities, 'cleanPermissions' | 'awaitCleanTask' | 'regrantPermissions'>;

/** Revocation: the identity's kubeconfigs and RBAC grants go, on all clusters or on the named ones. */
export function revocationActivities({ deps, sdk }: ActivityContext): RevocationActivities {
  const { cs } = deps.clients;

  return {
    /**
     * All clusters: CleanUserPermissions, an asynchronous task. Named clusters: CleanClusterUserPermissions each; a
     * cluster that does not exist is bad input, never a clean done. Without `force` Alibaba refuses when the identity
     * used a cluster in the last 7 days (or no audit logs can tell): that comes back as a non-retryable
     * RecentClusterAccess, or UnclearCleanRefusal when the answer cannot be classified (see classify.ts).
     */
    async cleanPermissions({ uid, target, clusterIds, force }) {
      assertNotWorker(deps, target);
      if (uid === deps.accountId) throw invalidInput('refusing to clean the root account');
      const requestIds: string[] = [];
      try {
        if (clusterIds && clusterIds.length > 0) {
          for (const clusterId of clusterIds) {
            await sdk
              .call(
                'CleanClusterUserPermissions',
                () =>
                  cs.cleanClusterUserPermissions(clusterId, uid, new $cs.CleanClusterUserPermissionsRequest({ force })),
                requestIds,
              )
              .catch((err: unknown) => {
                throw isMissingCluster(err) ? invalidInput(`clusterIds: ${clusterId} does not exist`) : err;
              });
          }
          return { mode: 'per-cluster', force, clusterIds, requestIds };
        }
        const res = await sdk.call(
          'CleanUserPermissions',
          () => cs.cleanUserPermissions(uid, new $cs.CleanUserPermissionsRequest({ force })),
          requestIds,
        );
        return { mode: 'all-clusters', force, taskId: res.body?.taskId, requestIds };
      } catch (err) {
        throw force ? err : asCleanRefusal(err);
      }
    },

    /**
     * Follows the task to its end inside one attempt: DescribeTaskInfo every 50 ms at first, then as the task ages a
     * fifth of its age apart (up to every 2 s, see nextCleanTaskLookInMs), heartbeating in between, so the server
     * dispatches no retry per poll. A task still running after `withinMs` (20 s by default) throws the retryable
     * CleanTaskPending, and the activity retry policy goes on (bounded by its schedule-to-close timeout). A task that
     * ended `fail`, `timeout` or `canceled`, or that cannot be found any more (lost), is the non-retryable
     * CleanTaskFailed: re-polling it would never help, a new clean will. Any other state is not taken for success: it
     * is polled until it is one the run knows.
     */
    async awaitCleanTask({ taskId, withinMs }) {
      const since = Date.now();
      const budgetMs = Math.min(withinMs ?? CLEAN_TASK_POLL_BUDGET_MS, CLEAN_TASK_POLL_BUDGET_MS);
      // The first look after 50 ms too: a task is never done the moment its clean was accepted.
      for (let pause = SHORTEST_POLL_MS; ; pause = nextCleanTaskLookInMs(Date.now() - since)) {
        await pauseWithHeartbeat(pause);
        const res = await sdk
          .call('DescribeTaskInfo', () => cs.describeTaskInfo(taskId))
          .catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
            throw ApplicationFailure.create({
              type: FailureType.CleanTaskFailed,
              message: `clean task ${taskId} cannot be found (lost): nothing says it took effect`,
              nonRetryable: true,
            });
          });
        const state = res.body?.state ?? 'unknown';
        if (state === 'success') return { state, requestIds: requestIdOf(res) };
        if (FAILED_TASK_STATES.includes(state)) {
          const e = res.body?.error;
          throw ApplicationFailure.create({
            type: FailureType.CleanTaskFailed,
            message: `clean task ${taskId} ended ${state}${e?.code ? `: ${e.code}` : ''}${e?.message ? ` ${deps.redact(e.message)}` : ''}`,
            nonRetryable: true,
          });
        }
        const elapsed = Date.now() - since;
        if (elapsed + nextCleanTaskLookInMs(elapsed) > budgetMs) {
          // BENIGN: the expected "not yet" of a long task, logged quietly by the worker.
          throw ApplicationFailure.create({
            type: FailureType.CleanTaskPending,
            message: `clean task ${taskId} is ${state}`,
            nonRetryable: false,
            category: ApplicationFailureCategory.BENIGN,
          });
        }
      }
    },

    /** The undo of revocation: GrantPermissions overwrites the identity's grants whole, so it is idempotent. */
    async regrantPermissions({ uid, grants }) {
      if (grants.length === 0) return { changed: false, requestIds: [] };
      return stepResult(
        await sdk.call('GrantPermissions', () =>
          cs.grantPermissions(uid, new $cs.GrantPermissionsRequest({ body: grants.map(grantToBody) })),
        ),
      );
    },
  };
}

const BUILT_IN_ROLES = ['admin', 'admin-view', 'ops', 'dev', 'restricted'];

/** A snapshotted grant as GrantPermissions takes it back. */
function grantToBody(g: RbacGrant): $cs.GrantPermissionsRequestBody {
  const builtIn = BUILT_IN_ROLES.includes(g.roleType);
  if (g.resourceType === 'console' || g.resourceId === 'all-clusters') {
    return new $cs.GrantPermissionsRequestBody({
      cluster: '',
      roleType: 'all-clusters',
      roleName: builtIn ? g.roleType : g.roleName,
      isCustom: !builtIn,
      isRamRole: g.isRamRole,
    });
  }
  const [cluster, namespace] = g.resourceId.split('/');
  const custom = g.roleType === 'custom' || !builtIn;
  return new $cs.GrantPermissionsRequestBody({
    cluster,
    namespace: g.resourceType === 'namespace' ? namespace : undefined,
    roleType: g.resourceType === 'namespace' ? 'namespace' : 'cluster',
    roleName: custom ? g.roleName : g.roleType,
    isCustom: custom,
    isRamRole: g.isRamRole,
  });
}

/** A per-cluster clean answered "no such cluster" (and not "no such identity"). */
function isMissingCluster(err: unknown): boolean {
  if (!isNotFound(err)) return false;
  const facts = (err as ApplicationFailure).details?.[0] as AlibabaErrorFacts | undefined;
  return facts?.code === C.clusterNotFound;
}
