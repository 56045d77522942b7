import { randomInt } from 'node:crypto';
import type { AccessKeyState, DeletedIdentity, RoleState, UserState, WorldState } from './world';

/** Lookups by id across the account's identities: the account itself, RAM users, roles, and deleted ones. */

export type ResolvedIdentity =
  | { kind: 'root'; uid: string; name: string }
  | { kind: 'user'; uid: string; name: string; user: UserState }
  | { kind: 'role'; uid: string; name: string; role: RoleState }
  | { kind: 'deleted'; uid: string; name: string; deleted: DeletedIdentity };

/** What a uid names in this account, including identities deleted since (their kubeconfig records live on). */
export function resolveUid(world: WorldState, uid: string): ResolvedIdentity | undefined {
  if (uid === world.account.id) return { kind: 'root', uid, name: world.account.name };
  for (const user of world.users.values()) if (user.id === uid) return { kind: 'user', uid, name: user.name, user };
  for (const role of world.roles.values()) if (role.id === uid) return { kind: 'role', uid, name: role.name, role };
  const deleted = world.deletedIdentities.get(uid);
  if (deleted) return { kind: 'deleted', uid, name: deleted.name, deleted };
  return undefined;
}

/**
 * Every identity of the account by id, as resolveUid names each: one pass for a listing that resolves thousands of
 * uids (resolveUid scans the users and roles each time).
 */
export function identitiesById(world: WorldState): Map<string, ResolvedIdentity> {
  const all = new Map<string, ResolvedIdentity>();
  for (const [uid, deleted] of world.deletedIdentities)
    all.set(uid, { kind: 'deleted', uid, name: deleted.name, deleted });
  for (const role of world.roles.values()) all.set(role.id, { kind: 'role', uid: role.id, name: role.name, role });
  for (const user of world.users.values()) all.set(user.id, { kind: 'user', uid: user.id, name: user.name, user });
  all.set(world.account.id, { kind: 'root', uid: world.account.id, name: world.account.name });
  return all;
}

/** Finds the owner of an access key id: the account (root) or a RAM user. */
export function findAccessKey(
  world: WorldState,
  accessKeyId: string,
): { key: AccessKeyState; user?: UserState } | undefined {
  for (const key of world.account.rootAccessKeys) if (key.id === accessKeyId) return { key };
  for (const user of world.users.values()) {
    for (const key of user.accessKeys) if (key.id === accessKeyId) return { key, user };
  }
  return undefined;
}

/**
 * A fresh numeric id of `digits` digits (RAM users have 16, roles 19 here), never 0-led, used by no identity live or
 * deleted: a re-created name always gets a new id, and the old id keeps naming the deleted identity.
 */
export function newIdentityId(world: WorldState, digits: number): string {
  for (;;) {
    let id = String(randomInt(1, 10));
    while (id.length < digits) id += String(randomInt(0, 10));
    if (!resolveUid(world, id)) return id;
  }
}
