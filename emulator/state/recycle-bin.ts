import { DAY_MS } from '../time';
import type { AccessKeyState, UserState, WorldState } from './world';

/**
 * RAM's recycle bin (served by IMS 2019-08-15, ims/): when the world's `recycleBin` option is on, DeleteUser and
 * DeleteAccessKey move the entry here instead of erasing it, to be restored or purged — by hand, when its DeleteDate
 * comes, or as the oldest past RAM's documented quotas (1000 users; 3 access keys per user).
 */

/** RAM's documented capacity: past it, the entry that went in first is purged. */
export const RECYCLE_BIN_MAX_USERS = 1000;
export const RECYCLE_BIN_MAX_KEYS_PER_USER = 3;

export interface RecycledUser {
  /** The user as it was deleted, without its access keys (they are in `accessKeys`, with `userRecycled`). */
  user: UserState;
  /** RecycleDate. */
  recycled: number;
  /** DeleteDate: when RAM purges it. */
  purgeAt: number;
}

export interface RecycledAccessKey {
  key: AccessKeyState;
  userId: string;
  recycled: number;
  purgeAt: number;
}

export interface RecycleBinState {
  /** uid → entry. */
  users: Map<string, RecycledUser>;
  /** In the order they went in. */
  accessKeys: RecycledAccessKey[];
}

export function emptyRecycleBin(): RecycleBinState {
  return { users: new Map(), accessKeys: [] };
}

/** How long entries stay, or undefined when the bin is off (deletes erase, as before the bin existed). */
export function retentionMs(world: WorldState): number | undefined {
  const days = world.options.recycleBin?.retentionDays;
  return days === undefined ? undefined : days * DAY_MS;
}

/** Moves a deleted user and the keys it still had into the bin. */
export function recycleUser(world: WorldState, user: UserState, now: number, retention: number): void {
  const bin = world.recycleBin;
  const purgeAt = now + retention;
  for (const key of user.accessKeys) recycleAccessKey(world, user.id, key, now, retention);
  bin.users.set(user.id, { user: { ...user, accessKeys: [] }, recycled: now, purgeAt });
  while (bin.users.size > RECYCLE_BIN_MAX_USERS) purgeUser(world, oldestUser(bin)!);
}

/** Moves a deleted access key into the bin; the user's oldest recycled key goes past the per-user quota. */
export function recycleAccessKey(
  world: WorldState,
  userId: string,
  key: AccessKeyState,
  now: number,
  retention: number,
): void {
  const keys = world.recycleBin.accessKeys;
  keys.push({ key, userId, recycled: now, purgeAt: now + retention });
  const mine = keys.filter((k) => k.userId === userId);
  for (const k of mine.slice(0, Math.max(0, mine.length - RECYCLE_BIN_MAX_KEYS_PER_USER)))
    keys.splice(keys.indexOf(k), 1);
}

/** Erases a user from the bin with its keys; its kubeconfig records are CS's and stay (the risk). */
export function purgeUser(world: WorldState, uid: string): void {
  world.recycleBin.users.delete(uid);
  world.recycleBin.accessKeys = world.recycleBin.accessKeys.filter((k) => k.userId !== uid);
}

/** Purges every entry whose DeleteDate has come; true when anything went. */
export function purgeDue(world: WorldState, now: number): boolean {
  const bin = world.recycleBin;
  let changed = false;
  for (const [uid, entry] of bin.users) {
    if (entry.purgeAt <= now) {
      purgeUser(world, uid);
      changed = true;
    }
  }
  const before = bin.accessKeys.length;
  bin.accessKeys = bin.accessKeys.filter((k) => k.purgeAt > now);
  return changed || bin.accessKeys.length !== before;
}

function oldestUser(bin: RecycleBinState): string | undefined {
  let oldest: [string, number] | undefined;
  for (const [uid, e] of bin.users) if (!oldest || e.recycled < oldest[1]) oldest = [uid, e.recycled];
  return oldest?.[0];
}
