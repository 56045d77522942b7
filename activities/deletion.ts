import * as $ram from '@alicloud/ram20150501';
import { type ActivityContext } from './deps';
import { stillTheVerifiedIdentity } from './identity-lookup';
import { liveCheck, usableAgain } from './live-check';
import { checkProof } from './proof';
import { type SdkResponse, stepResult } from './sdk-call';
import { type OffboardActivities, type ProvenTarget, type StepResult } from './types';

type DeletionActivities = Pick<
  OffboardActivities,
  | 'deleteAccessKey'
  | 'removeUserFromGroup'
  | 'detachPolicy'
  | 'deleteLoginProfile'
  | 'unbindMfaDevice'
  | 'deleteIdentity'
>;

/**
 * Deletion: what the identity still holds goes (as planDeletion listed it), then the identity itself. Every step
 * first checks the proof of verified revocation and that the name still names the verified identity (these calls act
 * on the name); a step whose object is already gone (NotFound), or whose identity is, is done — by someone else, unless
 * a retried attempt finds what its own earlier attempt did (`earlierAttempt`).
 */
export function deletionActivities(ctx: ActivityContext): DeletionActivities {
  const { deps, sdk } = ctx;
  const { ram } = deps.clients;

  async function step(input: ProvenTarget, operation: string, fn: () => Promise<SdkResponse>): Promise<StepResult> {
    checkProof(input.proof, input.target);
    const requestIds: string[] = [];
    const exists = await stillTheVerifiedIdentity(ctx, input.proof, input.target, requestIds);
    const res = exists ? await sdk.callOptional(operation, fn, requestIds) : undefined;
    return { ...stepResult(res), requestIds };
  }

  return {
    async deleteAccessKey(input) {
      return step(input, 'DeleteAccessKey', () =>
        ram.deleteAccessKey(
          new $ram.DeleteAccessKeyRequest({ userName: input.target.name, userAccessKeyId: input.accessKeyId }),
        ),
      );
    },

    async removeUserFromGroup(input) {
      return step(input, 'RemoveUserFromGroup', () =>
        ram.removeUserFromGroup(
          new $ram.RemoveUserFromGroupRequest({ userName: input.target.name, groupName: input.groupName }),
        ),
      );
    },

    async detachPolicy(input) {
      const { policyName, policyType } = input.policy;
      const name = input.target.name;
      return input.target.type === 'user'
        ? step(input, 'DetachPolicyFromUser', () =>
            ram.detachPolicyFromUser(new $ram.DetachPolicyFromUserRequest({ userName: name, policyName, policyType })),
          )
        : step(input, 'DetachPolicyFromRole', () =>
            ram.detachPolicyFromRole(new $ram.DetachPolicyFromRoleRequest({ roleName: name, policyName, policyType })),
          );
    },

    async deleteLoginProfile(input) {
      return step(input, 'DeleteLoginProfile', () =>
        ram.deleteLoginProfile(new $ram.DeleteLoginProfileRequest({ userName: input.target.name })),
      );
    },

    async unbindMfaDevice(input) {
      return step(input, 'UnbindMFADevice', () =>
        ram.unbindMFADevice(new $ram.UnbindMFADeviceRequest({ userName: input.target.name })),
      );
    },

    /**
     * The point of no return. The live check runs again right before the delete: the name must still name the
     * verified uid (IdentityChanged otherwise), and a kubeconfig or grant usable again since verification stops the
     * deletion (UsableAgain) instead of outliving the identity. An identity already gone is not deleted again.
     */
    async deleteIdentity({ proof, target }) {
      const requestIds: string[] = [];
      const check = await liveCheck(ctx, proof, target, requestIds);
      const refusal = usableAgain(check, target);
      if (refusal) throw refusal;
      if (!check.identityExists) return { ...stepResult(undefined), requestIds };
      const deleted =
        target.type === 'user'
          ? await sdk.callOptional(
              'DeleteUser',
              () => ram.deleteUser(new $ram.DeleteUserRequest({ userName: target.name })),
              requestIds,
            )
          : await sdk.callOptional(
              'DeleteRole',
              () => ram.deleteRole(new $ram.DeleteRoleRequest({ roleName: target.name })),
              requestIds,
            );
      return { ...stepResult(deleted), requestIds };
    },
  };
}
