import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import { iso } from '../time';
import { addOnce, removeOne } from './lists';
import { requireGroup, requireUser } from './params';

/** A user's group memberships. Groups themselves come from the fixture. */

export const groupActions: ActionDef[] = [
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
      addOnce(
        user.groups,
        (m) => m.name === group,
        { name: group, joined: ctx.now },
        () => new ApiError(E.userGroupAlreadyExists, 409, `${user.name} is already in group ${group}.`),
      );
      return {};
    },
  },
  {
    product: 'ram',
    name: 'RemoveUserFromGroup',
    need: 'ram-write',
    run(ctx, { query }) {
      const group = requireGroup(ctx.world, query);
      const user = requireUser(ctx.world, query);
      removeOne(
        user.groups,
        (m) => m.name === group,
        () => new ApiError(E.userGroupNotFound, 404, `${user.name} is not in group ${group}.`),
      );
      return {};
    },
  },
];
