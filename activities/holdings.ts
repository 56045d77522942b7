import * as $ram from '@alicloud/ram20150501';
import { type AccessKeySnapshot, type Inventory, type LoginProfileSnapshot, type PolicyRef } from '../common/types';
import { type ActivityContext } from './deps';
import { assertNotWorkerKey } from './run-policy';

/**
 * What RAM says an identity holds besides kubeconfigs and grants (a role holds policies only), as the inventory
 * snapshots it. The deletion plan re-reads the same lists and maps them with `policyRefs` and `groupNames`.
 */
type Holdings = Pick<Inventory, 'accessKeys' | 'loginProfile' | 'mfaSerialNumber' | 'groups' | 'policies'>;

interface HoldingsReader {
  user(userName: string, requestIds: string[]): Promise<Holdings>;
  role(roleName: string, requestIds: string[]): Promise<Holdings>;
  /** A user's access keys, each with when it was last used (the sweep's staleness check reads them too). */
  accessKeys(userName: string, requestIds: string[]): Promise<AccessKeySnapshot[]>;
  /** A user's console login profile; none when the user cannot sign in to the console. */
  loginProfile(userName: string, requestIds: string[]): Promise<LoginProfileSnapshot | undefined>;
}

export function holdingsReader({ deps, sdk }: ActivityContext): HoldingsReader {
  const { ram } = deps.clients;

  async function accessKeys(userName: string, requestIds: string[]): Promise<AccessKeySnapshot[]> {
    const keys = await sdk.call(
      'ListAccessKeys',
      () => ram.listAccessKeys(new $ram.ListAccessKeysRequest({ userName })),
      requestIds,
    );
    const snapshots: AccessKeySnapshot[] = [];
    for (const k of keys.body?.accessKeys?.accessKey ?? []) {
      const accessKeyId = k.accessKeyId ?? '';
      const used = await sdk.callOptional(
        'GetAccessKeyLastUsed',
        () =>
          ram.getAccessKeyLastUsed(new $ram.GetAccessKeyLastUsedRequest({ userName, userAccessKeyId: accessKeyId })),
        requestIds,
      );
      snapshots.push({
        accessKeyId,
        status: k.status ?? 'Unknown',
        createDate: k.createDate,
        lastUsedDate: used?.body?.accessKeyLastUsed?.lastUsedDate || undefined,
      });
    }
    return snapshots;
  }

  async function loginProfile(userName: string, requestIds: string[]): Promise<LoginProfileSnapshot | undefined> {
    const res = await sdk.callOptional(
      'GetLoginProfile',
      () => ram.getLoginProfile(new $ram.GetLoginProfileRequest({ userName })),
      requestIds,
    );
    const profile = res?.body?.loginProfile;
    if (!profile) return undefined;
    return {
      passwordResetRequired: Boolean(profile.passwordResetRequired),
      mfaBindRequired: Boolean(profile.MFABindRequired),
    };
  }

  return {
    accessKeys,
    loginProfile,
    async user(userName, requestIds) {
      const keys = await accessKeys(userName, requestIds);
      // Refused before anything more is read: the worker cannot offboard itself.
      assertNotWorkerKey(deps, userName, keys);
      const profile = await loginProfile(userName, requestIds);
      const mfa = await sdk.callOptional('GetUserMFAInfo', () =>
        ram.getUserMFAInfo(new $ram.GetUserMFAInfoRequest({ userName })),
      );
      const groups = await sdk.call(
        'ListGroupsForUser',
        () => ram.listGroupsForUser(new $ram.ListGroupsForUserRequest({ userName })),
        requestIds,
      );
      const policies = await sdk.call(
        'ListPoliciesForUser',
        () => ram.listPoliciesForUser(new $ram.ListPoliciesForUserRequest({ userName })),
        requestIds,
      );
      return {
        accessKeys: keys,
        loginProfile: profile,
        mfaSerialNumber: mfa?.body?.MFADevice?.serialNumber || undefined,
        groups: groupNames(groups),
        policies: policyRefs(policies),
      };
    },

    async role(roleName, requestIds) {
      const policies = await sdk.call(
        'ListPoliciesForRole',
        () => ram.listPoliciesForRole(new $ram.ListPoliciesForRoleRequest({ roleName })),
        requestIds,
      );
      return { accessKeys: [], groups: [], policies: policyRefs(policies) };
    },
  };
}

interface PolicyList {
  body?: { policies?: { policy?: Array<{ policyName?: string; policyType?: string }> } };
}

interface GroupList {
  body?: { groups?: { group?: Array<{ groupName?: string }> } };
}

/** The policies of a ListPoliciesForUser or ListPoliciesForRole answer (none without an answer). */
export function policyRefs(res: PolicyList | undefined): PolicyRef[] {
  return (res?.body?.policies?.policy ?? []).map((p) => ({
    policyName: p.policyName ?? '',
    policyType: p.policyType ?? 'System',
  }));
}

/** The group names of a ListGroupsForUser answer (none without an answer). */
export function groupNames(res: GroupList | undefined): string[] {
  return (res?.body?.groups?.group ?? []).map((g) => g.groupName ?? '').filter(Boolean);
}
