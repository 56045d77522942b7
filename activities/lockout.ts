import * as $ram from '@alicloud/ram20150501';
import { ApplicationFailure } from '@temporalio/common';
import { AlibabaErrorCodes as C } from '../common/alibaba-error-codes';
import { FailureType } from '../common/errors';
import {
  DENY_ALL_DESCRIPTION,
  DENY_ALL_DOCUMENT,
  DENY_ALL_POLICY,
  isDenyAllDocument,
  lockedTrustPolicy,
} from '../common/lockout';
import { type ActivityContext } from './deps';
import { stepResult } from './sdk-call';
import { type OffboardActivities, type StepResult } from './types';

type LockoutActivities = Pick<
  OffboardActivities,
  'attachDenyPolicy' | 'detachDenyPolicy' | 'lockTrustPolicy' | 'restoreTrustPolicy'
>;

/** The Alibaba code of a classified failure (activities/classify.ts keeps it in the details). */
function codeOf(err: unknown): string | undefined {
  return err instanceof ApplicationFailure ? (err.details?.[0] as { code?: string } | undefined)?.code : undefined;
}

/**
 * Quarantine for every identity (common/lockout.ts): the deny-all policy on a user or a role, and a role's trust
 * policy replaced by one nobody can assume. Each has its undo; each is idempotent (already attached, already
 * detached, the same trust policy again).
 */
/**
 * How long a worker trusts its last look at the deny-all policy. A bulk of 1,000 offboardings would otherwise spend
 * 1,000 CreatePolicy and GetPolicy calls (RAM write quota: 20/s) on a policy that exists; a policy deleted meanwhile
 * makes the attach fail with EntityNotExist.Policy, and the policy is made again at once.
 */
const DENY_POLICY_RECHECK_MS = 60_000;

export function lockoutActivities({ deps, sdk }: ActivityContext): LockoutActivities {
  const { ram } = deps.clients;
  let denyPolicyCheckedAt = -Infinity;

  /**
   * The deny-all custom policy, created once per account. A policy of that name with any other document is refused,
   * never attached: it could allow what it should deny.
   */
  async function ensureDenyPolicy(requestIds: string[]): Promise<void> {
    try {
      await sdk.call(
        'CreatePolicy',
        () =>
          ram.createPolicy(
            new $ram.CreatePolicyRequest({
              policyName: DENY_ALL_POLICY,
              policyDocument: DENY_ALL_DOCUMENT,
              description: DENY_ALL_DESCRIPTION,
            }),
          ),
        requestIds,
      );
      return;
    } catch (err) {
      if (codeOf(err) !== C.policyAlreadyExists) throw err;
    }
    const existing = await sdk.call(
      'GetPolicy',
      () => ram.getPolicy(new $ram.GetPolicyRequest({ policyName: DENY_ALL_POLICY, policyType: 'Custom' })),
      requestIds,
    );
    if (!isDenyAllDocument(existing.body?.defaultPolicyVersion?.policyDocument)) {
      throw ApplicationFailure.create({
        type: FailureType.Conflict,
        message: `the custom policy ${DENY_ALL_POLICY} exists with another document than deny-all; rename or delete it, then retry`,
        nonRetryable: true,
        details: [{ operation: 'GetPolicy', code: 'DenyPolicyDocumentMismatch' }],
      });
    }
  }

  /** Attaches the deny policy; "already attached" is success without a change. */
  async function attach(target: { type: 'user' | 'role'; name: string }, requestIds: string[]): Promise<boolean> {
    const policy = { policyName: DENY_ALL_POLICY, policyType: 'Custom' };
    try {
      if (target.type === 'user') {
        await sdk.call(
          'AttachPolicyToUser',
          () => ram.attachPolicyToUser(new $ram.AttachPolicyToUserRequest({ ...policy, userName: target.name })),
          requestIds,
        );
      } else {
        await sdk.call(
          'AttachPolicyToRole',
          () => ram.attachPolicyToRole(new $ram.AttachPolicyToRoleRequest({ ...policy, roleName: target.name })),
          requestIds,
        );
      }
      return true;
    } catch (err) {
      const code = codeOf(err);
      if (code === C.userPolicyAlreadyExists || code === C.rolePolicyAlreadyExists) return false;
      throw err;
    }
  }

  const setTrustPolicy = async (roleName: string, document: string): Promise<StepResult> =>
    stepResult(
      await sdk.callOptional('UpdateRole', () =>
        ram.updateRole(new $ram.UpdateRoleRequest({ roleName, newAssumeRolePolicyDocument: document })),
      ),
    );

  return {
    async attachDenyPolicy({ target }) {
      const requestIds: string[] = [];
      if (Date.now() - denyPolicyCheckedAt > DENY_POLICY_RECHECK_MS) {
        await ensureDenyPolicy(requestIds);
        denyPolicyCheckedAt = Date.now();
      }
      try {
        return { changed: await attach(target, requestIds), requestIds };
      } catch (err) {
        if (codeOf(err) !== C.policyNotFound) throw err;
        denyPolicyCheckedAt = -Infinity;
        await ensureDenyPolicy(requestIds);
        denyPolicyCheckedAt = Date.now();
        return { changed: await attach(target, requestIds), requestIds };
      }
    },

    async detachDenyPolicy({ target }) {
      const policy = { policyName: DENY_ALL_POLICY, policyType: 'Custom' };
      const res =
        target.type === 'user'
          ? await sdk.callOptional('DetachPolicyFromUser', () =>
              ram.detachPolicyFromUser(new $ram.DetachPolicyFromUserRequest({ ...policy, userName: target.name })),
            )
          : await sdk.callOptional('DetachPolicyFromRole', () =>
              ram.detachPolicyFromRole(new $ram.DetachPolicyFromRoleRequest({ ...policy, roleName: target.name })),
            );
      return stepResult(res);
    },

    async lockTrustPolicy({ roleName }) {
      return setTrustPolicy(roleName, lockedTrustPolicy(deps.accountId));
    },

    async restoreTrustPolicy({ roleName, document }) {
      return setTrustPolicy(roleName, document);
    },
  };
}
