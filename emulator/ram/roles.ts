import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import { newIdentityId } from '../state/identities';
import type { RoleState } from '../state/world';
import { pageByName } from './paging';
import { intParam, policyDocumentParam, requireRole, roleNameParam } from './params';
import { roleBody } from './render';

/**
 * RAM roles: read, list, create, update (trust policy, description, session length), and delete — which refuses
 * while policies are attached. A role re-created under a deleted one's name gets a new id.
 */

/** MaxSessionDuration bounds, in seconds. */
const SESSION_SECONDS = { min: 3600, max: 43200 };

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
    name: 'CreateRole',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world, now } = ctx;
      const name = roleNameParam(query);
      const trust = policyDocumentParam(query, 'AssumeRolePolicyDocument', 'trust');
      const maxSession = intParam(query, 'MaxSessionDuration', SESSION_SECONDS.min, SESSION_SECONDS.max);
      if (world.roles.has(name)) throw new ApiError(E.roleAlreadyExists, 409, `The role already exists: ${name}.`);
      const role: RoleState = {
        id: newIdentityId(world, 19),
        name,
        description: query.Description ?? '',
        assumeRolePolicyDocument: trust,
        maxSessionDuration: maxSession ?? SESSION_SECONDS.min,
        created: now,
        updated: now,
        policies: [],
      };
      world.roles.set(name, role);
      const { UpdateDate: _omit, ...body } = roleBody(role, world.account.id, true);
      return { Role: body };
    },
  },
  {
    product: 'ram',
    name: 'UpdateRole',
    need: 'ram-write',
    run(ctx, { query }) {
      const role = requireRole(ctx.world, query);
      const trust =
        query.NewAssumeRolePolicyDocument === undefined
          ? undefined
          : policyDocumentParam(query, 'NewAssumeRolePolicyDocument', 'trust');
      const maxSession = intParam(query, 'NewMaxSessionDuration', SESSION_SECONDS.min, SESSION_SECONDS.max);
      if (trust !== undefined) role.assumeRolePolicyDocument = trust;
      if (maxSession !== undefined) role.maxSessionDuration = maxSession;
      if (query.NewDescription !== undefined) role.description = query.NewDescription;
      role.updated = ctx.now;
      return { Role: roleBody(role, ctx.world.account.id, true) };
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
      return {};
    },
  },
];
