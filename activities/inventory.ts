import * as $ram from '@alicloud/ram20150501';
import { type Inventory, type InventoryResult, type TargetIdentity } from '../common/types';
import { type ActivityContext } from './deps';
import { holdingsReader } from './holdings';
import { assertNotWorker, assertServedAccount, checkResolvedUid } from './run-policy';
import { assertNotWorkerUid } from './worker-identity';
import { identityRef } from '../common/validation';
import { type OffboardActivities } from './types';

/** Inventory: name → uid, and a snapshot of everything the identity holds. Read-only. */
export function inventoryActivities(
  ctx: ActivityContext,
): Pick<OffboardActivities, 'inventoryIdentity' | 'resolveIdentity'> {
  const { deps, now, sdk, clusters } = ctx;
  const { ram } = deps.clients;
  const holdings = holdingsReader(ctx);

  /**
   * GetUser or GetRole: the uid (and a user's display name), or undefined when RAM does not know the identity.
   * Another account and the worker itself are refused before any call.
   */
  async function lookUp(accountId: string, target: TargetIdentity, requestIds: string[]) {
    assertServedAccount(deps, accountId);
    assertNotWorker(deps, target);
    if (target.type === 'user') {
      const user = await sdk.callOptional(
        'GetUser',
        () => ram.getUser(new $ram.GetUserRequest({ userName: target.name })),
        requestIds,
      );
      if (!user) return undefined;
      return { uid: user.body?.user?.userId ?? '', displayName: user.body?.user?.displayName, trustPolicy: undefined };
    }
    const role = await sdk.callOptional(
      'GetRole',
      () => ram.getRole(new $ram.GetRoleRequest({ roleName: target.name })),
      requestIds,
    );
    if (!role) return undefined;
    // The trust policy is snapshotted: quarantine replaces it, restore puts this one back.
    return {
      uid: role.body?.role?.roleId ?? '',
      displayName: undefined,
      trustPolicy: role.body?.role?.assumeRolePolicyDocument,
    };
  }

  /** An identity RAM no longer knows: its kubeconfigs may still be issued on clusters. */
  async function absent(target: TargetIdentity, requestIds: string[]): Promise<InventoryResult> {
    const leftoverKubeconfigs = await clusters.leftoverKubeconfigs(target, requestIds);
    const worker = await deps.worker();
    for (const k of leftoverKubeconfigs) assertNotWorkerUid(worker, k.uid, identityRef(target.type, target.name));
    return { exists: false, target, leftoverKubeconfigs, requestIds };
  }

  return {
    async inventoryIdentity({ accountId, target }) {
      const requestIds: string[] = [];
      const identity = await lookUp(accountId, target, requestIds);
      if (!identity) return absent(target, requestIds);
      // By id, before anything more is read: the worker never offboards itself, whatever name it goes by.
      const uid = await checkResolvedUid(deps, identity.uid, target, 'offboarded');
      const { accessKeys, loginProfile, mfaSerialNumber, groups, policies } =
        target.type === 'user'
          ? await holdings.user(target.name, requestIds)
          : await holdings.role(target.name, requestIds);
      const kubeconfigs = await clusters.kubeconfigs(uid, requestIds);
      const grants = await clusters.grants(uid, requestIds);
      const inventory: Inventory = {
        target,
        uid,
        displayName: identity.displayName,
        accessKeys,
        loginProfile,
        mfaSerialNumber,
        groups,
        policies,
        trustPolicy: identity.trustPolicy,
        kubeconfigs,
        grants,
        takenAt: now().toISOString(),
        requestIds,
      };
      return { exists: true, inventory };
    },

    /** Only GetUser/GetRole: in the leaked-kubeconfig response every call before the clean costs time. */
    async resolveIdentity({ accountId, target }) {
      const requestIds: string[] = [];
      const identity = await lookUp(accountId, target, requestIds);
      if (!identity) return absent(target, requestIds);
      return { exists: true, uid: await checkResolvedUid(deps, identity.uid, target, 'cleaned'), requestIds };
    },
  };
}
