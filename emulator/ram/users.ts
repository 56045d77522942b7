import { type AlibabaErrorCode, AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import { newIdentityId } from '../state/identities';
import { purgeUser, recycleUser, retentionMs } from '../state/recycle-bin';
import type { UserState } from '../state/world';
import { pageByName } from './paging';
import { requireUser, userNameParam } from './params';
import { userBody } from './render';

/**
 * RAM users: read, list, create, update (rename keeps the id, as RAM does), and delete — which refuses while anything
 * is still attached.
 */

export const userActions: ActionDef[] = [
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
    run: (ctx, { query }) =>
      pageByName(ctx.world.users.values(), query, (page) => ({ Users: { User: page.map((u) => userBody(u, false)) } })),
  },
  {
    product: 'ram',
    name: 'CreateUser',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world, now } = ctx;
      const name = userNameParam(query);
      if (world.users.has(name)) throw new ApiError(E.userAlreadyExists, 409, `The user already exists: ${name}.`);
      const user: UserState = {
        id: newIdentityId(world, 16),
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
    name: 'UpdateUser',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world, now } = ctx;
      const user = requireUser(world, query);
      if (query.NewUserName !== undefined && query.NewUserName !== user.name) {
        const newName = userNameParam({ UserName: query.NewUserName });
        if (world.users.has(newName)) {
          throw new ApiError(E.userAlreadyExists, 409, `The user already exists: ${newName}.`);
        }
        // The id, keys, kubeconfigs and grants stay with the user: only the name changes.
        world.users.delete(user.name);
        user.name = newName;
        world.users.set(newName, user);
      }
      if (query.NewDisplayName) user.displayName = query.NewDisplayName;
      if (query.NewEmail) user.email = query.NewEmail;
      if (query.NewMobilePhone) user.mobilePhone = query.NewMobilePhone;
      if (query.NewComments) user.comments = query.NewComments;
      user.updated = now;
      return { User: userBody(user, true) };
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
      // With the recycle bin on, the user (and any key it still had) waits there to be restored or purged; without
      // it, keys it had put in the bin earlier go with it.
      const retention = retentionMs(world);
      if (retention !== undefined) recycleUser(world, user, ctx.now, retention);
      else purgeUser(world, user.id);
      // Kubeconfig records and RBAC grants are keyed by uid and deliberately left alone: deleting a RAM user does
      // not revoke its kubeconfigs. That is the risk the offboarding exists for.
      world.deletedIdentities.set(user.id, {
        uid: user.id,
        kind: 'user',
        name: user.name,
        displayName: user.displayName,
        deleted: ctx.now,
      });
      return {};
    },
  },
];
