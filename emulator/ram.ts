import { type AlibabaErrorCode, AlibabaErrorCodes as E } from '../common/alibaba-error-codes';
import { ApiError } from './errors';
import { type ActionDef, type CallContext, iso } from './model';
import {
  type AccessKeyState,
  newAccessKey,
  newNumericId,
  type PolicyAttachment,
  policyKey,
  type RoleState,
  type UserState,
  type WorldState,
} from './state';

/**
 * RAM 2015-05-01, RPC style: `POST /` routed by x-acs-action, every parameter in the query, PascalCase bodies with
 * lists wrapped as `{ Plural: { Singular: [...] } }`. Status codes and codes per reference §2.4.
 */

const MAX_ACCESS_KEYS_PER_USER = 2;

function required(q: Record<string, string>, name: string): string {
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

function userNameParam(q: Record<string, string>): string {
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

function findUser(world: WorldState, name: string): UserState {
  const user = world.users.get(name);
  if (!user) throw new ApiError(E.userNotFound, 404, `The user does not exist: ${name}.`);
  return user;
}

function requireUser(world: WorldState, q: Record<string, string>): UserState {
  return findUser(world, userNameParam(q));
}

function requireRole(world: WorldState, q: Record<string, string>): RoleState {
  const name = required(q, 'RoleName');
  const role = world.roles.get(name);
  if (!role) throw new ApiError(E.roleNotFound, 404, `The role does not exist: ${name}.`);
  return role;
}

function userKey(user: UserState, q: Record<string, string>): AccessKeyState {
  const id = required(q, 'UserAccessKeyId');
  const key = user.accessKeys.find((k) => k.id === id);
  if (!key) throw new ApiError(E.accessKeyOfUserNotFound, 404, `The access key does not exist: ${id}.`);
  return key;
}

function policyParams(
  world: WorldState,
  q: Record<string, string>,
): { name: string; type: 'System' | 'Custom'; rg?: string } {
  const type = q.PolicyType;
  if (type !== 'System' && type !== 'Custom') {
    throw new ApiError(E.invalidPolicyType, 400, 'PolicyType must be System or Custom.');
  }
  const name = required(q, 'PolicyName');
  if (!world.policies.has(policyKey(type, name))) {
    throw new ApiError(E.policyNotFound, 404, `The policy does not exist: ${type} ${name}.`);
  }
  return { name, type, ...(q.ResourceGroupId && { rg: q.ResourceGroupId }) };
}

function sameAttachment(a: PolicyAttachment, p: { name: string; type: string; rg?: string }): boolean {
  return a.name === p.name && a.type === p.type && (a.resourceGroupId ?? '') === (p.rg ?? '');
}

function userBody(u: UserState, withLastLogin: boolean): Record<string, unknown> {
  return {
    UserId: u.id,
    UserName: u.name,
    DisplayName: u.displayName,
    ...(u.email !== undefined && { Email: u.email }),
    ...(u.mobilePhone !== undefined && { MobilePhone: u.mobilePhone }),
    ...(u.comments !== undefined && { Comments: u.comments }),
    CreateDate: iso(u.created),
    UpdateDate: iso(u.updated),
    ...(withLastLogin && u.lastLogin !== undefined && { LastLoginDate: iso(u.lastLogin) }),
  };
}

function roleBody(r: RoleState, accountId: string, full: boolean): Record<string, unknown> {
  return {
    RoleId: r.id,
    RoleName: r.name,
    // RAM lower-cases the role name in ARNs.
    Arn: `acs:ram::${accountId}:role/${r.name.toLowerCase()}`,
    Description: r.description,
    ...(full && { AssumeRolePolicyDocument: r.assumeRolePolicyDocument }),
    MaxSessionDuration: r.maxSessionDuration,
    CreateDate: iso(r.created),
    UpdateDate: iso(r.updated),
  };
}

function policyList(world: WorldState, attachments: PolicyAttachment[]): Record<string, unknown> {
  // Direct, account-scope attachments only (resource-group ones are listed elsewhere in the real API).
  return {
    Policies: {
      Policy: attachments
        .filter((a) => !a.resourceGroupId)
        .map((a) => {
          const p = world.policies.get(policyKey(a.type, a.name));
          return {
            PolicyName: a.name,
            PolicyType: a.type,
            Description: p?.description ?? '',
            DefaultVersion: p?.defaultVersion ?? 'v1',
            AttachDate: iso(a.attached),
          };
        }),
    },
  };
}

/** Marker/MaxItems paging over names in sorted order; the marker is opaque to clients. */
function pageByName<T extends { name: string }>(
  items: Iterable<T>,
  q: Record<string, string>,
): { page: T[]; truncated: boolean; marker?: string } {
  const max = q.MaxItems === undefined || q.MaxItems === '' ? 100 : Number(q.MaxItems);
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw new ApiError(E.invalidMaxItems, 400, 'MaxItems must be an integer from 1 to 1000.');
  }
  let after = '';
  if (q.Marker) {
    after = Buffer.from(q.Marker, 'base64url').toString('utf8');
    if (!after.startsWith('n:')) throw new ApiError(E.invalidMarker, 400, 'The Marker is invalid.');
    after = after.slice(2);
  }
  const sorted = [...items].sort((a, b) => (a.name < b.name ? -1 : 1)).filter((x) => x.name > after);
  const page = sorted.slice(0, max);
  const truncated = sorted.length > max;
  return {
    page,
    truncated,
    ...(truncated && { marker: Buffer.from(`n:${page[page.length - 1].name}`).toString('base64url') }),
  };
}

/** DeleteAccessKey/CreateAccessKey without UserName act on the caller's own keys. */
function ownerForKeyOp(ctx: CallContext, q: Record<string, string>): UserState | 'root' {
  if (q.UserName) return requireUser(ctx.world, q);
  return ctx.caller.kind === 'root' ? 'root' : ctx.caller.user!;
}

const ok = (): Record<string, unknown> => ({});

export const ramActions: ActionDef[] = [
  {
    product: 'ram',
    name: 'GetUser',
    need: 'ram-read',
    run: (ctx, { query }) => ({ User: userBody(requireUser(ctx.world, query), true) }),
  },
  {
    product: 'ram',
    name: 'ListUsers',
    need: 'ram-read',
    run(ctx, { query }) {
      const { page, truncated, marker } = pageByName(ctx.world.users.values(), query);
      return {
        IsTruncated: truncated,
        ...(marker !== undefined && { Marker: marker }),
        Users: { User: page.map((u) => userBody(u, false)) },
      };
    },
  },
  {
    product: 'ram',
    name: 'CreateUser',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world, now } = ctx;
      const name = userNameParam(query);
      if (world.users.has(name)) throw new ApiError(E.userAlreadyExists, 409, `The user already exists: ${name}.`);
      let id = newNumericId(16);
      while ([...world.users.values()].some((u) => u.id === id) || world.deletedIdentities.has(id))
        id = newNumericId(16);
      const user: UserState = {
        id,
        name,
        displayName: query.DisplayName || name,
        ...(query.Email && { email: query.Email }),
        ...(query.MobilePhone && { mobilePhone: query.MobilePhone }),
        ...(query.Comments && { comments: query.Comments }),
        created: now,
        updated: now,
        accessKeys: [],
        groups: [],
        policies: [],
      };
      world.users.set(name, user);
      const { UpdateDate: _omit, ...body } = userBody(user, false);
      return { User: body };
    },
  },
  {
    product: 'ram',
    name: 'DeleteUser',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world } = ctx;
      const user = requireUser(world, query);
      const conflict = (code: AlibabaErrorCode, what: string): never => {
        throw new ApiError(code, 409, `The user still has ${what}; remove it before deleting the user.`);
      };
      if (user.policies.length > 0) conflict(E.deleteConflictUserPolicy, 'attached policies');
      if (user.groups.length > 0) conflict(E.deleteConflictUserGroup, 'group memberships');
      if (world.options.deleteUserRequiresNoCredentials) {
        if (user.accessKeys.length > 0) conflict(E.deleteConflictUserAccessKey, 'access keys');
        if (user.loginProfile) conflict(E.deleteConflictUserLoginProfile, 'a login profile');
        if (user.mfa) conflict(E.deleteConflictUserMfa, 'an MFA device');
      }
      world.users.delete(user.name);
      // Kubeconfig records and RBAC grants are keyed by uid and deliberately left alone: deleting a RAM user does
      // not revoke its kubeconfigs. That is the risk the offboarding exists for.
      world.deletedIdentities.set(user.id, {
        uid: user.id,
        kind: 'user',
        name: user.name,
        displayName: user.displayName,
        deleted: ctx.now,
      });
      return ok();
    },
  },
  {
    product: 'ram',
    name: 'GetRole',
    need: 'ram-read',
    run: (ctx, { query }) => ({ Role: roleBody(requireRole(ctx.world, query), ctx.world.account.id, true) }),
  },
  {
    product: 'ram',
    name: 'ListRoles',
    need: 'ram-read',
    run(ctx, { query }) {
      const { page, truncated, marker } = pageByName(ctx.world.roles.values(), query);
      return {
        IsTruncated: truncated,
        ...(marker !== undefined && { Marker: marker }),
        Roles: { Role: page.map((r) => roleBody(r, ctx.world.account.id, false)) },
      };
    },
  },
  {
    product: 'ram',
    name: 'DeleteRole',
    need: 'ram-write',
    run(ctx, { query }) {
      const role = requireRole(ctx.world, query);
      if (role.policies.length > 0) {
        throw new ApiError(E.deleteConflictRolePolicy, 409, 'The role still has attached policies; detach them first.');
      }
      ctx.world.roles.delete(role.name);
      // As for users: the role's kubeconfigs and grants survive its deletion.
      ctx.world.deletedIdentities.set(role.id, { uid: role.id, kind: 'role', name: role.name, deleted: ctx.now });
      return ok();
    },
  },
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
      const owner = ownerForKeyOp(ctx, query);
      const keys = owner === 'root' ? ctx.world.account.rootAccessKeys : owner.accessKeys;
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
      return ok();
    },
  },
  {
    product: 'ram',
    name: 'DeleteAccessKey',
    need: 'ram-write',
    run(ctx, { query }) {
      const owner = ownerForKeyOp(ctx, query);
      const id = required(query, 'UserAccessKeyId');
      const keys = owner === 'root' ? ctx.world.account.rootAccessKeys : owner.accessKeys;
      const i = keys.findIndex((k) => k.id === id);
      if (i < 0) throw new ApiError(E.accessKeyOfUserNotFound, 404, `The access key does not exist: ${id}.`);
      keys.splice(i, 1);
      return ok();
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
  {
    product: 'ram',
    name: 'GetLoginProfile',
    need: 'ram-read',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      if (!user.loginProfile) throw loginProfileNotFound(user);
      return { LoginProfile: loginProfileBody(user) };
    },
  },
  {
    product: 'ram',
    name: 'CreateLoginProfile',
    need: 'ram-write',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      const password = required(query, 'Password');
      // The default RAM password policy: at least 8 characters, with letters and digits. Never stored.
      if (password.length < 8 || !/[A-Za-z]/.test(password) || !/\d/.test(password)) {
        throw new ApiError(E.passwordTooWeak, 400, 'The password does not meet the password policy.');
      }
      if (user.loginProfile) {
        throw new ApiError(E.loginProfileAlreadyExists, 409, `The login profile of ${user.name} already exists.`);
      }
      user.loginProfile = {
        created: ctx.now,
        passwordResetRequired: query.PasswordResetRequired === 'true',
        mfaBindRequired: query.MFABindRequired === 'true',
      };
      return { LoginProfile: loginProfileBody(user) };
    },
  },
  {
    product: 'ram',
    name: 'DeleteLoginProfile',
    need: 'ram-write',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      if (!user.loginProfile) throw loginProfileNotFound(user);
      delete user.loginProfile;
      return ok();
    },
  },
  {
    product: 'ram',
    name: 'GetUserMFAInfo',
    need: 'ram-read',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      if (!user.mfa) throw mfaNotFound(user);
      return { MFADevice: { SerialNumber: user.mfa.serialNumber, Type: user.mfa.type } };
    },
  },
  {
    product: 'ram',
    name: 'UnbindMFADevice',
    need: 'ram-write',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      if (!user.mfa) throw mfaNotFound(user);
      const serial = user.mfa.serialNumber;
      delete user.mfa;
      return { MFADevice: { SerialNumber: serial } };
    },
  },
  {
    product: 'ram',
    name: 'ListGroupsForUser',
    need: 'ram-read',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      return {
        Groups: {
          Group: user.groups.map((m) => {
            const g = ctx.world.groups.get(m.name);
            return { GroupName: m.name, GroupId: g?.id ?? '', Comments: g?.comments ?? '', JoinDate: iso(m.joined) };
          }),
        },
      };
    },
  },
  {
    product: 'ram',
    name: 'AddUserToGroup',
    need: 'ram-write',
    run(ctx, { query }) {
      const group = requireGroup(ctx.world, query);
      const user = requireUser(ctx.world, query);
      if (user.groups.some((m) => m.name === group)) {
        throw new ApiError(E.userGroupAlreadyExists, 409, `${user.name} is already in group ${group}.`);
      }
      user.groups.push({ name: group, joined: ctx.now });
      return ok();
    },
  },
  {
    product: 'ram',
    name: 'RemoveUserFromGroup',
    need: 'ram-write',
    run(ctx, { query }) {
      const group = requireGroup(ctx.world, query);
      const user = requireUser(ctx.world, query);
      const i = user.groups.findIndex((m) => m.name === group);
      if (i < 0) throw new ApiError(E.userGroupNotFound, 404, `${user.name} is not in group ${group}.`);
      user.groups.splice(i, 1);
      return ok();
    },
  },
  {
    product: 'ram',
    name: 'ListPoliciesForUser',
    need: 'ram-read',
    run: (ctx, { query }) => policyList(ctx.world, requireUser(ctx.world, query).policies),
  },
  {
    product: 'ram',
    name: 'AttachPolicyToUser',
    need: 'ram-write',
    run(ctx, { query }) {
      const p = policyParams(ctx.world, query);
      const user = requireUser(ctx.world, query);
      if (user.policies.some((a) => sameAttachment(a, p))) {
        throw new ApiError(E.userPolicyAlreadyExists, 409, `${p.name} is already attached to ${user.name}.`);
      }
      user.policies.push({ name: p.name, type: p.type, attached: ctx.now, ...(p.rg && { resourceGroupId: p.rg }) });
      return ok();
    },
  },
  {
    product: 'ram',
    name: 'DetachPolicyFromUser',
    need: 'ram-write',
    run(ctx, { query }) {
      const p = policyParams(ctx.world, query);
      const user = requireUser(ctx.world, query);
      const i = user.policies.findIndex((a) => sameAttachment(a, p));
      if (i < 0) throw new ApiError(E.userPolicyNotFound, 404, `${p.name} is not attached to ${user.name}.`);
      user.policies.splice(i, 1);
      return ok();
    },
  },
  {
    product: 'ram',
    name: 'ListPoliciesForRole',
    need: 'ram-read',
    run: (ctx, { query }) => policyList(ctx.world, requireRole(ctx.world, query).policies),
  },
  {
    product: 'ram',
    name: 'DetachPolicyFromRole',
    need: 'ram-write',
    run(ctx, { query }) {
      const p = policyParams(ctx.world, query);
      const role = requireRole(ctx.world, query);
      const i = role.policies.findIndex((a) => sameAttachment(a, p));
      // 404 assumed: only third-party code shows this code (reference §2.4).
      if (i < 0) throw new ApiError(E.rolePolicyNotFound, 404, `${p.name} is not attached to role ${role.name}.`);
      role.policies.splice(i, 1);
      return ok();
    },
  },
];

function requireGroup(world: WorldState, q: Record<string, string>): string {
  const name = required(q, 'GroupName');
  if (!world.groups.has(name)) throw new ApiError(E.groupNotFound, 404, `The group does not exist: ${name}.`);
  return name;
}

function loginProfileNotFound(user: UserState): ApiError {
  return new ApiError(E.loginProfileNotFound, 404, `The login profile of ${user.name} does not exist.`);
}

function mfaNotFound(user: UserState): ApiError {
  return new ApiError(E.mfaDeviceNotFound, 404, `${user.name} has no MFA device bound.`);
}

function loginProfileBody(user: UserState): Record<string, unknown> {
  const lp = user.loginProfile!;
  return {
    UserName: user.name,
    CreateDate: iso(lp.created),
    PasswordResetRequired: lp.passwordResetRequired,
    MFABindRequired: lp.mfaBindRequired,
  };
}
