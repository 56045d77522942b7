import type { RoutedActionDef } from '../action';
import type { GrantState } from '../state/world';
import { parseGrants } from './grant-body';
import {
  checkGrantScope,
  grantCluster,
  grantsOf,
  overwriteGrants,
  rbacAdminScope,
  requireGrantTarget,
  storeGrants,
} from './grants';
import { invalid, requireKnownUid } from './params';
import { describeGrant } from './render';

/** RBAC permissions: read an identity's grants, overwrite them, or apply, patch or delete some of them. */

export const permissionActions: RoutedActionDef[] = [
  {
    product: 'cs',
    name: 'DescribeUserPermission',
    need: 'cs-full',
    method: 'GET',
    path: '/permissions/users/:uid',
    run(ctx, { path }) {
      const who = requireKnownUid(ctx.world, path.uid);
      const scope = rbacAdminScope(ctx);
      // A RAM caller sees only grants on clusters where it is RBAC admin (documented).
      return grantsOf(ctx.world, who.uid)
        .filter((g) => {
          if (scope === 'all') return true;
          const c = grantCluster(g);
          return c !== undefined && scope.has(c);
        })
        .map(describeGrant);
    },
  },
  {
    product: 'cs',
    name: 'GrantPermissions',
    need: 'cs-full',
    method: 'POST',
    path: '/permissions/users/:uid',
    run(ctx, { path, body }) {
      const { world } = ctx;
      const who = requireGrantTarget(world, path.uid);
      const next = parseGrants(world, body, who.kind === 'role');
      const current = grantsOf(world, who.uid);
      checkGrantScope(ctx, [...current, ...next]);
      storeGrants(world, who.uid, overwriteGrants(current, next));
      return {};
    },
  },
  {
    product: 'cs',
    name: 'UpdateUserPermissions',
    need: 'cs-full',
    method: 'POST',
    path: '/permissions/users/:uid/update',
    run(ctx, { path, query, body }) {
      const { world } = ctx;
      const mode = query.mode || 'apply';
      if (mode !== 'apply' && mode !== 'delete' && mode !== 'patch')
        throw invalid('mode must be apply, delete or patch.');
      const who = requireGrantTarget(world, path.uid);
      const listed = parseGrants(world, body, who.kind === 'role');
      const current = grantsOf(world, who.uid);
      let next: GrantState[];
      if (mode === 'apply') {
        // Undocumented for an empty list (reference §7); treated like GrantPermissions: a full overwrite.
        checkGrantScope(ctx, [...current, ...listed]);
        next = overwriteGrants(current, listed);
      } else {
        checkGrantScope(ctx, listed);
        const byId = new Set(listed.map((g) => g.resourceId));
        const kept = current.filter((g) =>
          mode === 'delete'
            ? !listed.some(
                (l) => l.resourceId === g.resourceId && l.roleType === g.roleType && l.roleName === g.roleName,
              )
            : !byId.has(g.resourceId),
        );
        next = mode === 'delete' ? kept : [...kept, ...listed];
      }
      storeGrants(world, who.uid, next);
      return {};
    },
  },
];
