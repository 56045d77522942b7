import * as $ram from '@alicloud/ram20150501';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { identityRef } from '../common/validation';
import { type ActivityContext } from './deps';
import { checkProof, usableKubeconfigs } from './proof';
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
 * first checks the proof of verified revocation, and a step whose object is already gone (NotFound) is done.
 */
export function deletionActivities({ deps, sdk, clusters }: ActivityContext): DeletionActivities {
  const { ram } = deps.clients;

  async function step(input: ProvenTarget, operation: string, fn: () => Promise<SdkResponse>): Promise<StepResult> {
    checkProof(input.proof, input.target);
    return stepResult(await sdk.callOptional(operation, fn));
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
     * The point of no return. Re-reads the identity's kubeconfigs and grants right before the delete: one issued
     * since verification (by an admin, say) stops the deletion instead of outliving the identity.
     */
    async deleteIdentity({ proof, target }) {
      checkProof(proof, target);
      const requestIds: string[] = [];
      const usable = usableKubeconfigs(await clusters.kubeconfigs(proof.uid, requestIds));
      const grants = await clusters.grants(proof.uid, requestIds);
      if (usable.length > 0 || grants.length > 0) {
        throw ApplicationFailure.create({
          type: FailureType.RevocationNotVerified,
          message: `refusing to delete ${identityRef(target.type, target.name)}: since verification it got ${usable.length} usable kubeconfig(s) and ${grants.length} grant(s) again`,
          nonRetryable: true,
        });
      }
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
      return { changed: deleted !== undefined, requestIds };
    },
  };
}
