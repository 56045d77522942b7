import * as $ram from '@alicloud/ram20150501';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { deletionRecordQuery } from '../common/undo';
import { type ActivityContext } from './deps';
import { groupNames, policyRefs } from './holdings';
import { lookUpIdentity } from './identity-lookup';
import { assertServedAccount } from './run-policy';
import { type SdkResponse, stepResult } from './sdk-call';
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

  /**
   * One re-attachment on the restored uid: the name is checked first, nothing is done when the membership already
   * holds (a retried step), else one call.
   */
  async function reattach(
    on: { accountId: string; uid: string; userName: string },
    holds: (requestIds: string[]) => Promise<boolean>,
    operation: string,
    attach: () => Promise<SdkResponse>,
  ): Promise<StepResult> {
    assertServedAccount(deps, on.accountId);
    const requestIds: string[] = [];
    await assertRestored(on.userName, on.uid, requestIds);
    if (await holds(requestIds)) return { changed: false, requestIds };
    const res = await sdk.call(operation, attach, requestIds);
    return { ...stepResult(res), requestIds };
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
      return reattach(
        { accountId, uid, userName },
        async (requestIds) => {
          const groups = await sdk.call(
            'ListGroupsForUser',
            () => ram.listGroupsForUser(new $ram.ListGroupsForUserRequest({ userName })),
            requestIds,
          );
          return groupNames(groups).includes(groupName);
        },
        'AddUserToGroup',
        () => ram.addUserToGroup(new $ram.AddUserToGroupRequest({ userName, groupName })),
      );
    },

    async attachPolicyToUser({ accountId, uid, userName, policy }): Promise<StepResult> {
      const { policyName, policyType } = policy;
      return reattach(
        { accountId, uid, userName },
        async (requestIds) => {
          const attached = await sdk.call(
            'ListPoliciesForUser',
            () => ram.listPoliciesForUser(new $ram.ListPoliciesForUserRequest({ userName })),
            requestIds,
          );
          return policyRefs(attached).some((p) => p.policyName === policyName && p.policyType === policyType);
        },
        'AttachPolicyToUser',
        () => ram.attachPolicyToUser(new $ram.AttachPolicyToUserRequest({ userName, policyName, policyType })),
      );
    },
  };
}
