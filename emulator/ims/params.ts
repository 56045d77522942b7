import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { ApiError } from '../api-error';
import { required } from '../ram/params';
import type { RecycledAccessKey, RecycledUser } from '../state/recycle-bin';
import type { UserState, WorldState } from '../state/world';

/**
 * IMS parameters and what they name. The IMS pages list no error codes ("see the error center"), so a refusal uses
 * RAM's code for the same situation: EntityNotExist.User / EntityNotExist.User.AccessKey (404) for what is not (or no
 * longer) there, InvalidParameter (400) for a malformed Filter or both of two exclusive parameters.
 */

export const userNotFound = (what: string): ApiError =>
  new ApiError(E.userNotFound, 404, `The user does not exist: ${what}.`);

export const recycledKeyNotFound = (id: string): ApiError =>
  new ApiError(E.accessKeyOfUserNotFound, 404, `The access key is not in the recycle bin: ${id}.`);

/** The user `UserId` names in the recycle bin. */
export function requireRecycledUser(world: WorldState, uid: string): RecycledUser {
  const entry = world.recycleBin.users.get(uid);
  if (!entry) throw userNotFound(`${uid} (not in the recycle bin)`);
  return entry;
}

/** The live RAM user with id `uid`, if any. */
export function liveUserById(world: WorldState, uid: string): UserState | undefined {
  for (const user of world.users.values()) if (user.id === uid) return user;
  return undefined;
}

/** The name of the user `uid`, live or in the bin; throws when RAM knows neither. */
export function knownUserName(world: WorldState, uid: string): string {
  const name = liveUserById(world, uid)?.name ?? world.recycleBin.users.get(uid)?.user.name;
  if (name === undefined) throw userNotFound(uid);
  return name;
}

/** The recycled key `UserAccessKeyId` (of `UserId`, when the operation names one). */
export function requireRecycledKey(world: WorldState, q: Record<string, string>, ofUser?: string): RecycledAccessKey {
  const id = required(q, 'UserAccessKeyId');
  const entry = world.recycleBin.accessKeys.find(
    (k) => k.key.id === id && (ofUser === undefined || k.userId === ofUser),
  );
  if (!entry) throw recycledKeyNotFound(id);
  return entry;
}

const FILTER = /^\s*UserPrincipalName\s+eq\s+(['"]?)([^\s'"]+)\1\s*$/;

/** The logon name a ListUsersInRecycleBin `Filter` asks for (`UserPrincipalName eq <name>@<alias>.onaliyun.com`). */
export function filterParam(q: Record<string, string>): string | undefined {
  const v = q.Filter;
  if (v === undefined || v === '') return undefined;
  const m = FILTER.exec(v);
  if (!m) {
    throw new ApiError(
      E.ramInvalidParameter,
      400,
      'The parameter Filter is invalid: expected "UserPrincipalName eq <name>@<alias>.onaliyun.com".',
    );
  }
  return m[2];
}
