import * as $ram from '@alicloud/ram20150501';
import { type ActivityContext } from './deps';
import { groupNames, policyRefs } from './holdings';
import { stillTheVerifiedIdentity } from './identity-lookup';
import { checkProof } from './proof';
import { type SdkResponse } from './sdk-call';
import { type OffboardActivities } from './types';

/**
 * The deletion plan: a fresh list of what must go before DeleteUser/DeleteRole, because the inventory may be days
 * old — listed by name, so only while the name still names the verified identity. A list RAM cannot find (the
 * identity is partly gone already) is an empty one.
 */
export function deletionPlanActivities(ctx: ActivityContext): Pick<OffboardActivities, 'planDeletion'> {
  const { deps, sdk } = ctx;
  const { ram } = deps.clients;
  return {
    async planDeletion({ proof, target }) {
      checkProof(proof, target);
      const requestIds: string[] = [];
      if (!(await stillTheVerifiedIdentity(ctx, proof, target, requestIds))) {
        return { accessKeyIds: [], groups: [], policies: [], loginProfile: false, mfa: false, requestIds };
      }
      if (target.type === 'role') {
        const policies = await sdk.callOptional(
          'ListPoliciesForRole',
          () => ram.listPoliciesForRole(new $ram.ListPoliciesForRoleRequest({ roleName: target.name })),
          requestIds,
        );
        return {
          accessKeyIds: [],
          groups: [],
          policies: policyRefs(policies),
          loginProfile: false,
          mfa: false,
          requestIds,
        };
      }
      const userName = target.name;
      const optional = <T extends SdkResponse>(operation: string, fn: () => Promise<T>) =>
        sdk.callOptional(operation, fn, requestIds);
      const keys = await optional('ListAccessKeys', () =>
        ram.listAccessKeys(new $ram.ListAccessKeysRequest({ userName })),
      );
      const groups = await optional('ListGroupsForUser', () =>
        ram.listGroupsForUser(new $ram.ListGroupsForUserRequest({ userName })),
      );
      const policies = await optional('ListPoliciesForUser', () =>
        ram.listPoliciesForUser(new $ram.ListPoliciesForUserRequest({ userName })),
      );
      const profile = await optional('GetLoginProfile', () =>
        ram.getLoginProfile(new $ram.GetLoginProfileRequest({ userName })),
      );
      const mfa = await optional('GetUserMFAInfo', () =>
        ram.getUserMFAInfo(new $ram.GetUserMFAInfoRequest({ userName })),
      );
      return {
        accessKeyIds: (keys?.body?.accessKeys?.accessKey ?? []).map((k) => k.accessKeyId ?? '').filter(Boolean),
        groups: groupNames(groups),
        policies: policyRefs(policies),
        loginProfile: Boolean(profile?.body?.loginProfile),
        mfa: Boolean(mfa?.body?.MFADevice?.serialNumber),
        requestIds,
      };
    },
  };
}
