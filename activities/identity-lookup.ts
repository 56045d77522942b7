import * as $ram from '@alicloud/ram20150501';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type DeletionProof, type TargetIdentity } from '../common/types';
import { identityRef } from '../common/validation';
import { type ActivityContext } from './deps';

/**
 * Name → identity, through RAM. RAM's deletions (DeleteUser/DeleteRole) and every call on a user's keys, groups and
 * policies act on the name, while kubeconfigs and grants — and the proof of their revocation — are keyed by uid: a name
 * deleted and created again names another identity. Every step that acts on the name first checks that it still
 * names the identity whose revocation was verified.
 */

export interface FoundIdentity {
  uid: string;
  displayName?: string;
  /** A role's trust policy: quarantine replaces it, restore puts this snapshot back. */
  trustPolicy?: string;
}

/** GetUser or GetRole: the identity the name names now, or undefined when RAM does not know it. */
export async function lookUpIdentity(
  { deps, sdk }: Pick<ActivityContext, 'deps' | 'sdk'>,
  target: TargetIdentity,
  requestIds: string[],
): Promise<FoundIdentity | undefined> {
  const { ram } = deps.clients;
  if (target.type === 'user') {
    const user = await sdk.callOptional(
      'GetUser',
      () => ram.getUser(new $ram.GetUserRequest({ userName: target.name })),
      requestIds,
    );
    return user && { uid: user.body?.user?.userId ?? '', displayName: user.body?.user?.displayName };
  }
  const role = await sdk.callOptional(
    'GetRole',
    () => ram.getRole(new $ram.GetRoleRequest({ roleName: target.name })),
    requestIds,
  );
  return role && { uid: role.body?.role?.roleId ?? '', trustPolicy: role.body?.role?.assumeRolePolicyDocument };
}

/**
 * True while the name still names the verified identity, false once RAM no longer knows it. A name that now names
 * another identity (deleted and re-created: a rehire) is refused with IdentityChanged, saying exactly what changed.
 */
export async function stillTheVerifiedIdentity(
  ctx: Pick<ActivityContext, 'deps' | 'sdk'>,
  proof: Pick<DeletionProof, 'uid' | 'verifiedAt'>,
  target: TargetIdentity,
  requestIds: string[],
): Promise<boolean> {
  const now = await lookUpIdentity(ctx, target, requestIds);
  if (!now) return false;
  if (now.uid !== proof.uid) {
    const ref = identityRef(target.type, target.name);
    throw ApplicationFailure.create({
      type: FailureType.IdentityChanged,
      message:
        `${ref} is now uid ${now.uid || '(none)'}, not uid ${proof.uid} whose revocation was verified at ${proof.verifiedAt}: ` +
        `the identity was deleted and re-created under the same name since then. Refusing to act on the name, which ` +
        `would delete the new identity; uid ${proof.uid}'s kubeconfigs stay revoked. Abort this run, and offboard the ` +
        `new identity with a request of its own if that is intended`,
      nonRetryable: true,
    });
  }
  return true;
}
