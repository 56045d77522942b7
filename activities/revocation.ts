import * as $cs from '@alicloud/cs20151215';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type RbacGrant } from '../common/types';
import { type ActivityContext } from './deps';
import { assertNotWorker, invalidInput } from './run-policy';
import { requestIdOf, stepResult } from './sdk-call';
import { type OffboardActivities } from './types';

type RevocationActivities = Pick<OffboardActivities, 'cleanPermissions' | 'awaitCleanTask' | 'regrantPermissions'>;

/** Revocation: the identity's kubeconfigs and RBAC grants go, on all clusters or on the named ones. */
export function revocationActivities({ deps, sdk }: ActivityContext): RevocationActivities {
  const { cs } = deps.clients;

  return {
    /**
     * All clusters: CleanUserPermissions, an asynchronous task. Named clusters: CleanClusterUserPermissions each.
     * Without `force` Alibaba refuses when the identity used a cluster in the last 7 days: that comes back as a
     * non-retryable RecentClusterAccess.
     */
    async cleanPermissions({ uid, target, clusterIds, force }) {
      assertNotWorker(deps, target);
      if (uid === deps.accountId) throw invalidInput('refusing to clean the root account');
      const requestIds: string[] = [];
      if (clusterIds && clusterIds.length > 0) {
        for (const clusterId of clusterIds) {
          await sdk.callOptional(
            'CleanClusterUserPermissions',
            () => cs.cleanClusterUserPermissions(clusterId, uid, new $cs.CleanClusterUserPermissionsRequest({ force })),
            requestIds,
          );
        }
        return { mode: 'per-cluster', force, clusterIds, requestIds };
      }
      const res = await sdk.call(
        'CleanUserPermissions',
        () => cs.cleanUserPermissions(uid, new $cs.CleanUserPermissionsRequest({ force })),
        requestIds,
      );
      return { mode: 'all-clusters', force, taskId: res.body?.taskId, requestIds };
    },

    /**
     * A running task throws the retryable CleanTaskPending, so the activity retry policy is the polling loop
     * (bounded by its schedule-to-close timeout); a failed task is non-retryable.
     */
    async awaitCleanTask({ taskId }) {
      const res = await sdk.call('DescribeTaskInfo', () => cs.describeTaskInfo(taskId));
      const state = res.body?.state ?? 'unknown';
      if (state === 'success') return { state, requestIds: requestIdOf(res) };
      if (state === 'fail' || state === 'failed') {
        const e = res.body?.error;
        throw ApplicationFailure.create({
          type: FailureType.CleanTaskFailed,
          message: `clean task ${taskId} failed${e?.code ? `: ${e.code}` : ''}${e?.message ? ` ${deps.redact(e.message)}` : ''}`,
          nonRetryable: true,
        });
      }
      // BENIGN: the expected "not yet" of the polling loop, logged quietly by the worker.
      throw ApplicationFailure.create({
        type: FailureType.CleanTaskPending,
        message: `clean task ${taskId} is ${state}`,
        nonRetryable: false,
        category: ApplicationFailureCategory.BENIGN,
      });
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
