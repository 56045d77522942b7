import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { ApiError } from '../api-error';
import type { RoleState, UserState, WorldState } from '../state/world';

/** RAM request parameters (all in the query) and the entities they name; each refusal is RAM's own error. */

export function required(q: Record<string, string>, name: string): string {
  const v = q[name];
  if (v === undefined || v === '') {
    throw new ApiError(
      E.missingParameter,
      400,
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    );
  }
  return v;
}

export function userNameParam(q: Record<string, string>): string {
  const name = required(q, 'UserName');
  if (name.length > 64)
    throw new ApiError(E.invalidUserNameLength, 400, 'The length of UserName must be from 1 to 64.');
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new ApiError(
      E.invalidUserName,
      400,
      'UserName may contain only letters, digits, periods (.), hyphens (-) and underscores (_).',
    );
  }
  return name;
}

/** The user named by `UserName`. */
export function requireUser(world: WorldState, q: Record<string, string>): UserState {
  const name = userNameParam(q);
  const user = world.users.get(name);
  if (!user) throw new ApiError(E.userNotFound, 404, `The user does not exist: ${name}.`);
  return user;
}

/** The role named by `RoleName`. */
export function requireRole(world: WorldState, q: Record<string, string>): RoleState {
  const name = required(q, 'RoleName');
  const role = world.roles.get(name);
  if (!role) throw new ApiError(E.roleNotFound, 404, `The role does not exist: ${name}.`);
  return role;
}

/** The name in `GroupName`, once the group is known to exist. */
export function requireGroup(world: WorldState, q: Record<string, string>): string {
  const name = required(q, 'GroupName');
  if (!world.groups.has(name)) throw new ApiError(E.groupNotFound, 404, `The group does not exist: ${name}.`);
  return name;
}
