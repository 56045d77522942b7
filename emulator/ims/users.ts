import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import { pageByName } from '../ram/paging';
import { required } from '../ram/params';
import { purgeUser } from '../state/recycle-bin';
import type { UserState } from '../state/world';
import { filterParam, requireRecycledKey, requireRecycledUser } from './params';
import { recycledUserBody, userPrincipalName } from './render';

/**
 * Users in RAM's recycle bin: list (Marker/MaxItems 1–100, or one logon name by Filter), get (by UserId or by one of
 * the keys that went into the bin with it), restore, purge.
 */

export const recycledUserActions: ActionDef[] = [
  {
    product: 'ims',
    name: 'ListUsersInRecycleBin',
    need: 'ram-read',
    run(ctx, { query }) {
      const { world } = ctx;
      const wanted = filterParam(query);
      const entries = [...world.recycleBin.users.values()]
        .filter((e) => wanted === undefined || userPrincipalName(world, e.user.name) === wanted)
        // Sorted by name, then id: a name deleted twice is in the bin twice.
        .map((e) => ({ name: `${e.user.name}/${e.user.id}`, e }));
      return pageByName(
        entries,
        query,
        (page) => ({ Users: { User: page.map(({ e }) => recycledUserBody(world, e)) } }),
        100,
      );
    },
  },
  {
    product: 'ims',
    name: 'GetUserInRecycleBin',
    need: 'ram-read',
    run(ctx, { query }) {
      const { world } = ctx;
      const byId = query.UserId || undefined;
      const byKey = query.UserAccessKeyId || undefined;
      if ((byId === undefined) === (byKey === undefined)) {
        throw new ApiError(E.ramInvalidParameter, 400, 'Specify exactly one of UserId and UserAccessKeyId.');
      }
      const uid = byId ?? requireRecycledKey(world, query).userId;
      return { User: recycledUserBody(world, requireRecycledUser(world, uid)) };
    },
  },
  {
    product: 'ims',
    name: 'RestoreUserFromRecycleBin',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world, now } = ctx;
      const uid = required(query, 'UserId');
      const entry = requireRecycledUser(world, uid);
      const name = entry.user.name;
      if (world.users.has(name)) {
        throw new ApiError(E.userAlreadyExists, 409, `A user named ${name} exists: rename or delete it first.`);
      }
      // Back with its id (so its kubeconfig records are its own again), without console login or MFA device; its
      // keys stay in the bin, each restored on its own (RestoreAccessKeyFromRecycleBin).
      const { loginProfile: _login, mfa: _mfa, ...rest } = entry.user;
      const user: UserState = { ...rest, accessKeys: [], updated: now };
      world.users.set(name, user);
      world.recycleBin.users.delete(uid);
      world.deletedIdentities.delete(uid);
      return {};
    },
  },
  {
    product: 'ims',
    name: 'DeleteUserInRecycleBin',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world } = ctx;
      const uid = required(query, 'UserId');
      requireRecycledUser(world, uid);
      // Purged with its keys; the uid stays a deleted identity, whose kubeconfig records CS still keeps.
      purgeUser(world, uid);
      return {};
    },
  },
];
