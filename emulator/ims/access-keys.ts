import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import { MAX_ACCESS_KEYS_PER_USER } from '../ram/access-keys';
import { required } from '../ram/params';
import { knownUserName, liveUserById, requireRecycledKey, userNotFound } from './params';
import { recycledKeyBody, userPrincipalName } from './render';

/**
 * Access keys in RAM's recycle bin: list a user's, get one, restore one to its (live) user — Inactive, as it had to be
 * before it could be deleted — or purge one.
 */

export const recycledKeyActions: ActionDef[] = [
  {
    product: 'ims',
    name: 'ListAccessKeysInRecycleBin',
    need: 'ram-read',
    run(ctx, { query }) {
      const { world, caller } = ctx;
      // UserId is optional: without it, the caller's own (a root caller's are never RAM's to keep: none).
      const uid = query.UserId || caller.uid;
      if (query.UserId) knownUserName(world, uid);
      const mine = world.recycleBin.accessKeys.filter((k) => k.userId === uid);
      return { AccessKeys: { AccessKey: mine.map(recycledKeyBody) } };
    },
  },
  {
    product: 'ims',
    name: 'GetAccessKeyInfoInRecycleBin',
    need: 'ram-read',
    run(ctx, { query }) {
      const { world } = ctx;
      const entry = requireRecycledKey(world, query);
      return {
        AccessKey: {
          UserId: entry.userId,
          UserPrincipalName: userPrincipalName(world, knownUserName(world, entry.userId)),
          UserRecycled: world.recycleBin.users.has(entry.userId),
          ...recycledKeyBody(entry),
        },
      };
    },
  },
  {
    product: 'ims',
    name: 'RestoreAccessKeyFromRecycleBin',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world } = ctx;
      const uid = required(query, 'UserId');
      const user = liveUserById(world, uid);
      if (!user) {
        throw world.recycleBin.users.has(uid)
          ? userNotFound(`${uid} (in the recycle bin: restore the user first)`)
          : userNotFound(uid);
      }
      const entry = requireRecycledKey(world, query, uid);
      if (user.accessKeys.length >= MAX_ACCESS_KEYS_PER_USER) {
        throw new ApiError(E.limitExceededAccessKey, 409, `At most ${MAX_ACCESS_KEYS_PER_USER} access keys per user.`);
      }
      user.accessKeys.push({ ...entry.key, status: 'Inactive' });
      world.recycleBin.accessKeys.splice(world.recycleBin.accessKeys.indexOf(entry), 1);
      return {};
    },
  },
  {
    product: 'ims',
    name: 'DeleteAccessKeyInRecycleBin',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world } = ctx;
      const uid = required(query, 'UserId');
      knownUserName(world, uid);
      const entry = requireRecycledKey(world, query, uid);
      world.recycleBin.accessKeys.splice(world.recycleBin.accessKeys.indexOf(entry), 1);
      return {};
    },
  },
];
