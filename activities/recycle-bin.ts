import * as $ims from '@alicloud/ims20190815';
import * as $ram from '@alicloud/ram20150501';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type RecycleBinEntry } from '../common/undo';
import { assertServedAccount } from './run-policy';
import { type ActivityContext } from './deps';
import { stepResult } from './sdk-call';
import { type OffboardActivities } from './types';

type RecycleBinActivities = Pick<
  OffboardActivities,
  'readRecycleBinEntry' | 'restoreUserFromRecycleBin' | 'restoreAccessKeyFromRecycleBin' | 'purgeUserFromRecycleBin'
>;

/**
 * RAM's recycle bin (IMS 2019-08-15), always by the uid a run deleted, never by name: a name deleted twice is in the
 * bin twice. Each step is idempotent: a retry after a lost answer finds the user restored (its uid live under its
 * name), the key back on its user, the entry already purged.
 */
export function recycleBinActivities(ctx: ActivityContext): RecycleBinActivities {
  const { deps, sdk } = ctx;
  const { ims, ram } = deps.clients;

  async function entryOf(uid: string, requestIds: string[]): Promise<RecycleBinEntry | null> {
    const res = await sdk.callOptional(
      'GetUserInRecycleBin',
      () => ims.getUserInRecycleBin(new $ims.GetUserInRecycleBinRequest({ userId: uid })),
      requestIds,
    );
    const user = res?.body?.user;
    if (!user) return null;
    if (user.userId !== uid || !user.recycleDate || !user.deleteDate) {
      throw ApplicationFailure.create({
        type: FailureType.Unexpected,
        message: `GetUserInRecycleBin for uid ${uid} answered an entry without its uid, RecycleDate or DeleteDate`,
        nonRetryable: true,
      });
    }
    return {
      uid,
      userPrincipalName: user.userPrincipalName,
      recycleDate: user.recycleDate,
      deleteDate: user.deleteDate,
      requestIds,
    };
  }

  /** The uid that the name names among live users now, if any. */
  async function liveUid(userName: string, requestIds: string[]): Promise<string | undefined> {
    const res = await sdk.callOptional('GetUser', () => ram.getUser(new $ram.GetUserRequest({ userName })), requestIds);
    return res?.body?.user?.userId;
  }

  return {
    async readRecycleBinEntry({ accountId, uid }) {
      assertServedAccount(deps, accountId);
      return entryOf(uid, []);
    },

    /**
     * RestoreUserFromRecycleBin by uid. Already done when the name names this uid live (a retry after a lost answer);
     * refused (Conflict) while another live user holds the name, or when the bin no longer holds the uid.
     */
    async restoreUserFromRecycleBin({ accountId, uid, userName }) {
      assertServedAccount(deps, accountId);
      const requestIds: string[] = [];
      const live = await liveUid(userName, requestIds);
      if (live === uid) return { changed: false, requestIds };
      if (live !== undefined) {
        throw conflict(
          `user/${userName} is now held by another live user (uid ${live}): uid ${uid} cannot be restored under its name`,
        );
      }
      const res = await sdk.callOptional(
        'RestoreUserFromRecycleBin',
        () => ims.restoreUserFromRecycleBin(new $ims.RestoreUserFromRecycleBinRequest({ userId: uid })),
        requestIds,
      );
      if (!res) {
        // Not in the bin: restored by an earlier attempt whose answer was lost (then the name names it), or purged.
        if ((await liveUid(userName, requestIds)) === uid) return { changed: false, earlierAttempt: true, requestIds };
        throw conflict(`uid ${uid} is no longer in RAM's recycle bin: it was purged and cannot be restored`);
      }
      return { ...stepResult(res), requestIds };
    },

    /**
     * RestoreAccessKeyFromRecycleBin: the key comes back on its restored user, Inactive (RAM's rule). Already done when
     * the user holds the key; `changed: false` without `earlierAttempt` when the bin no longer holds it either (purged:
     * RAM keeps at most a few keys per user).
     */
    async restoreAccessKeyFromRecycleBin({ accountId, uid, userName, accessKeyId }) {
      assertServedAccount(deps, accountId);
      const requestIds: string[] = [];
      const held = await sdk.call(
        'ListAccessKeys',
        () => ram.listAccessKeys(new $ram.ListAccessKeysRequest({ userName })),
        requestIds,
      );
      const keys = held.body?.accessKeys?.accessKey;
      if ((keys ?? []).some((k) => k.accessKeyId === accessKeyId)) {
        return { changed: false, earlierAttempt: true, requestIds };
      }
      const res = await sdk.callOptional(
        'RestoreAccessKeyFromRecycleBin',
        () =>
          ims.restoreAccessKeyFromRecycleBin(
            new $ims.RestoreAccessKeyFromRecycleBinRequest({ userId: uid, userAccessKeyId: accessKeyId }),
          ),
        requestIds,
      );
      return res ? { ...stepResult(res), requestIds } : { changed: false, requestIds };
    },

    /**
     * Purges the uid's keys in the bin (DeleteAccessKeyInRecycleBin each), then the user (DeleteUserInRecycleBin). An
     * entry already gone is done. Only this uid: a user restored in the meantime is live, not in the bin, and untouched.
     */
    async purgeUserFromRecycleBin({ accountId, uid }) {
      assertServedAccount(deps, accountId);
      const requestIds: string[] = [];
      const listed = await sdk.callOptional(
        'ListAccessKeysInRecycleBin',
        () => ims.listAccessKeysInRecycleBin(new $ims.ListAccessKeysInRecycleBinRequest({ userId: uid })),
        requestIds,
      );
      const keyIds = (listed?.body?.accessKeys?.accessKey ?? []).map((k) => k.accessKeyId ?? '').filter(Boolean);
      const purgedKeys: string[] = [];
      for (const accessKeyId of keyIds) {
        const gone = await sdk.callOptional(
          'DeleteAccessKeyInRecycleBin',
          () =>
            ims.deleteAccessKeyInRecycleBin(
              new $ims.DeleteAccessKeyInRecycleBinRequest({ userId: uid, userAccessKeyId: accessKeyId }),
            ),
          requestIds,
        );
        if (gone) purgedKeys.push(accessKeyId);
      }
      const user = await sdk.callOptional(
        'DeleteUserInRecycleBin',
        () => ims.deleteUserInRecycleBin(new $ims.DeleteUserInRecycleBinRequest({ userId: uid })),
        requestIds,
      );
      return { ...stepResult(user), requestIds, purgedKeys };
    },
  };
}

function conflict(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.Conflict, message, nonRetryable: true });
}
