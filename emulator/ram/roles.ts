import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import { pageByName } from './paging';
import { requireRole } from './params';
import { roleBody } from './render';

/** RAM roles: read, list, and delete — which refuses while policies are attached. */

export const roleActions: ActionDef[] = [
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
    run: (ctx, { query }) =>
      pageByName(ctx.world.roles.values(), query, (page) => ({
        Roles: { Role: page.map((r) => roleBody(r, ctx.world.account.id, false)) },
      })),
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
      return {};
    },
  },
];
