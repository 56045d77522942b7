import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { CallContext } from '../action';
import { ApiError } from '../api-error';
import type { ResolvedIdentity } from '../state/identities';
import type { GrantState, WorldState } from '../state/world';
import { invalid, requireKnownUid } from './params';

/** The rules of RBAC grants: who may change them where, and what an overwrite keeps. Stored per uid. */

/** The cluster a grant is on (`c1` or `c1/ns`), or undefined for an all-clusters grant. */
export function grantCluster(g: GrantState): string | undefined {
  if (g.resourceType === 'console') return undefined;
  const slash = g.resourceId.indexOf('/');
  return slash < 0 ? g.resourceId : g.resourceId.slice(0, slash);
}

export function grantsOf(world: WorldState, uid: string): GrantState[] {
  return world.grants.get(uid) ?? [];
}

export function storeGrants(world: WorldState, uid: string, grants: GrantState[]): void {
  if (grants.length > 0) world.grants.set(uid, grants);
  else world.grants.delete(uid);
}

/**
 * A full overwrite of an identity's grants (GrantPermissions, UpdateUserPermissions mode=apply): the cluster-owner
 * records are not the caller's to drop, unless the new list covers that resource itself.
 */
export function overwriteGrants(current: GrantState[], next: GrantState[]): GrantState[] {
  const owners = current.filter((g) => g.isOwner === 1 && !next.some((n) => n.resourceId === g.resourceId));
  return [...owners, ...next];
}

/** Clusters on which the caller is RBAC admin ('all' for the account or an all-clusters admin). */
export function rbacAdminScope(ctx: CallContext): 'all' | Set<string> {
  if (ctx.caller.kind === 'root') return 'all';
  const scope = new Set<string>();
  for (const g of grantsOf(ctx.world, ctx.caller.uid)) {
    if (g.roleType !== 'admin') continue;
    if (g.resourceType === 'console') return 'all';
    if (g.resourceType === 'cluster') scope.add(g.resourceId);
  }
  return scope;
}

/** Whether `uid` holds any grant on `clusterId` (an all-clusters grant counts). */
export function hasClusterGrant(world: WorldState, uid: string, clusterId: string): boolean {
  return grantsOf(world, uid).some((g) => g.resourceType === 'console' || grantCluster(g) === clusterId);
}

/** The identity whose grants are to change: a live RAM user or role. */
export function requireGrantTarget(world: WorldState, uid: string): ResolvedIdentity {
  const who = requireKnownUid(world, uid);
  if (who.kind === 'root') throw invalid('RBAC permissions of the Alibaba Cloud account cannot be changed.');
  if (who.kind === 'deleted') throw new ApiError(E.csUserNotFound, 404, `The user or role ${uid} has been deleted.`);
  return who;
}

/** A RAM caller may only change grants on clusters where it is RBAC admin. */
export function checkGrantScope(ctx: CallContext, touched: GrantState[]): void {
  const scope = rbacAdminScope(ctx);
  if (scope === 'all') return;
  for (const g of touched) {
    const c = grantCluster(g);
    if (c === undefined || !scope.has(c)) {
      throw new ApiError(
        E.forbiddenGrantPermissions,
        403,
        `The caller is not RBAC admin of ${c ?? 'all clusters'} and cannot change permissions there.`,
      );
    }
  }
}
