import { randomInt } from 'node:crypto';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef, CallContext } from '../action';
import { ApiError } from '../api-error';
import { recycleAccessKey, retentionMs } from '../state/recycle-bin';
import type { AccessKeyState, UserState } from '../state/world';
import { iso } from '../time';
import { removeOne } from './lists';
import { required, requireUser } from './params';

/** RAM access keys: a user's (or, without UserName, the caller's own) keys; at most two each. */

export const MAX_ACCESS_KEYS_PER_USER = 2;

export const accessKeyActions: ActionDef[] = [
  {
    product: 'ram',
    name: 'ListAccessKeys',
    need: 'ram-read',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      return {
        AccessKeys: {
          AccessKey: user.accessKeys.map((k) => ({ AccessKeyId: k.id, Status: k.status, CreateDate: iso(k.created) })),
        },
      };
    },
  },
  {
    product: 'ram',
    name: 'CreateAccessKey',
    need: 'ram-write',
    run(ctx, { query }) {
      const { keys } = keysForKeyOp(ctx, query);
      if (keys.length >= MAX_ACCESS_KEYS_PER_USER) {
        throw new ApiError(E.limitExceededAccessKey, 409, `At most ${MAX_ACCESS_KEYS_PER_USER} access keys per user.`);
      }
      const key = newAccessKey(ctx.now);
      keys.push(key);
      return {
        AccessKey: {
          AccessKeyId: key.id,
          AccessKeySecret: key.secret,
          Status: key.status,
          CreateDate: iso(key.created),
        },
      };
    },
  },
  {
    product: 'ram',
    name: 'UpdateAccessKey',
    need: 'ram-write',
    run(ctx, { query }) {
      const status = query.Status;
      if (status !== 'Active' && status !== 'Inactive') {
        throw new ApiError(E.invalidAccessKeyStatus, 400, 'Status must be Active or Inactive.');
      }
      const key = userKey(requireUser(ctx.world, query), query);
      key.status = status;
      return {};
    },
  },
  {
    product: 'ram',
    name: 'DeleteAccessKey',
    need: 'ram-write',
    run(ctx, { query }) {
      const { keys, userId } = keysForKeyOp(ctx, query);
      const id = required(query, 'UserAccessKeyId');
      const key = keys.find((k) => k.id === id);
      removeOne(
        keys,
        (k) => k.id === id,
        () => keyNotFound(id),
      );
      // A RAM user's key waits in the recycle bin when it is on (the account's own keys are not RAM's to keep).
      const retention = retentionMs(ctx.world);
      if (retention !== undefined && userId !== undefined)
        recycleAccessKey(ctx.world, userId, key!, ctx.now, retention);
      return {};
    },
  },
  {
    product: 'ram',
    name: 'GetAccessKeyLastUsed',
    need: 'ram-read',
    run(ctx, { query }) {
      const key = userKey(requireUser(ctx.world, query), query);
      return { AccessKeyLastUsed: { ...(key.lastUsed !== undefined && { LastUsedDate: iso(key.lastUsed) }) } };
    },
  },
];

/** DeleteAccessKey/CreateAccessKey without UserName act on the caller's own keys; `userId`: a RAM user's. */
function keysForKeyOp(ctx: CallContext, q: Record<string, string>): { keys: AccessKeyState[]; userId?: string } {
  const user = q.UserName ? requireUser(ctx.world, q) : ctx.caller.kind === 'user' ? ctx.caller.user : undefined;
  return user ? { keys: user.accessKeys, userId: user.id } : { keys: ctx.world.account.rootAccessKeys };
}

/** The key `UserAccessKeyId` of `user`. */
function userKey(user: UserState, q: Record<string, string>): AccessKeyState {
  const id = required(q, 'UserAccessKeyId');
  const key = user.accessKeys.find((k) => k.id === id);
  if (!key) throw keyNotFound(id);
  return key;
}

export function keyNotFound(id: string): ApiError {
  return new ApiError(E.accessKeyOfUserNotFound, 404, `The access key does not exist: ${id}.`);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new Active key shaped like Alibaba Cloud's (`LTAI5t` + 18 characters, a 30-character secret). */
function newAccessKey(now: number): AccessKeyState {
  const pick = (n: number): string => Array.from({ length: n }, () => ALNUM[randomInt(0, ALNUM.length)]).join('');
  return { id: `LTAI5t${pick(18)}`, secret: pick(30), status: 'Active', created: now };
}
