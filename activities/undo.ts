import * as $ram from '@alicloud/ram20150501';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { deletionRecordQuery } from '../common/undo';
import { type ActivityContext } from './deps';
import { groupNames, policyRefs } from './holdings';
import { lookUpIdentity } from './identity-lookup';
import { assertServedAccount } from './run-policy';
import { stepResult } from './sdk-call';
import { type OffboardActivities, type StepResult } from './types';

type UndoActivities = Pick<
  OffboardActivities,
  'readOffboardingRecord' | 'lookUpLiveUser' | 'addUserToGroup' | 'attachPolicyToUser'
>;

/**
 * What an undo needs besides the recycle bin (recycle-bin.ts): the completed offboarding's own record, read from
 * Temporal, and the re-attachment of the user's groups and policies. Re-attaching acts on the name, so each step first
 * checks that the name names the restored uid (IdentityChanged otherwise), and is done when the membership holds.
 */
export function undoActivities(ctx: ActivityContext): UndoActivities {
  const { deps, sdk } = ctx;
  const { ram } = deps.clients;

  /** The name must name the uid the undo restored: another user under the name is not ours to change. */
  async function assertRestored(userName: string, uid: string, requestIds: string[]): Promise<void> {
    const found = await lookUpIdentity(ctx, { type: 'user', name: userName }, requestIds);
    if (found?.uid === uid) return;
    throw ApplicationFailure.create({
      type: FailureType.IdentityChanged,
      message: found
        ? `user/${userName} now names uid ${found.uid}, not the restored uid ${uid}`
        : `user/${userName} does not exist: uid ${uid} is not restored`,
      nonRetryable: true,
    });
  }

  return {
    /**
     * The offboarding run's own record, from Temporal (the worker's client, with its payload codec): how the latest
     * run under that id closed and, when it completed, its `deletionRecord` query — answered by replaying its history,
     * so it is the structured snapshot exactly as the run used it.
     */
    async readOffboardingRecord({ accountId, workflowId }) {
      assertServedAccount(deps, accountId);
      const handle = Context.current().client.workflow.getHandle(workflowId);
      let description;
      try {
        description = await handle.describe();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { found: false };
        throw err;
      }
      const closed = description.status.name;
      if (description.type !== 'offboardIdentity') return { found: true, type: description.type, closed };
      if (closed !== 'COMPLETED') return { found: true, type: description.type, closed };
      const record = await handle.query(deletionRecordQuery);
      return { found: true, type: description.type, closed, runId: description.runId, record };
    },

    async lookUpLiveUser({ accountId, userName }) {
      assertServedAccount(deps, accountId);
      const requestIds: string[] = [];
      const found = await lookUpIdentity(ctx, { type: 'user', name: userName }, requestIds);
      return { uid: found?.uid, requestIds };
    },

    async addUserToGroup({ accountId, uid, userName, groupName }): Promise<StepResult> {
      assertServedAccount(deps, accountId);
      const requestIds: string[] = [];
      await assertRestored(userName, uid, requestIds);
      const groups = await sdk.call(
        'ListGroupsForUser',
        () => ram.listGroupsForUser(new $ram.ListGroupsForUserRequest({ userName })),
        requestIds,
      );
      if (groupNames(groups).includes(groupName)) return { changed: false, requestIds };
      const res = await sdk.call(
        'AddUserToGroup',
        () => ram.addUserToGroup(new $ram.AddUserToGroupRequest({ userName, groupName })),
        requestIds,
      );
      return { ...stepResult(res), requestIds };
    },

    async attachPolicyToUser({ accountId, uid, userName, policy }): Promise<StepResult> {
      assertServedAccount(deps, accountId);
      const requestIds: string[] = [];
      await assertRestored(userName, uid, requestIds);
      const attached = await sdk.call(
        'ListPoliciesForUser',
        () => ram.listPoliciesForUser(new $ram.ListPoliciesForUserRequest({ userName })),
        requestIds,
      );
      const same = policyRefs(attached).some(
        (p) => p.policyName === policy.policyName && p.policyType === policy.policyType,
      );
      if (same) return { changed: false, requestIds };
      const res = await sdk.call(
        'AttachPolicyToUser',
        () =>
          ram.attachPolicyToUser(
            new $ram.AttachPolicyToUserRequest({
              userName,
              policyName: policy.policyName,
              policyType: policy.policyType,
            }),
          ),
        requestIds,
      );
      return { ...stepResult(res), requestIds };
    },
  };
}
