import type { RecycledAccessKey, RecycledUser } from '../state/recycle-bin';
import type { WorldState } from '../state/world';
import { iso } from '../time';

/** IMS response bodies: PascalCase like RAM's, users named by their logon name (UserPrincipalName). */

/** `<user>@<alias>.onaliyun.com`, the alias being the account id unless the fixture set one. */
export function userPrincipalName(world: WorldState, userName: string): string {
  return `${userName}@${world.account.alias ?? world.account.id}.onaliyun.com`;
}

export function recycledUserBody(world: WorldState, e: RecycledUser): Record<string, unknown> {
  return {
    UserId: e.user.id,
    UserPrincipalName: userPrincipalName(world, e.user.name),
    DisplayName: e.user.displayName,
    CreateDate: iso(e.user.created),
    RecycleDate: iso(e.recycled),
    DeleteDate: iso(e.purgeAt),
  };
}

export function recycledKeyBody(e: RecycledAccessKey): Record<string, unknown> {
  return {
    AccessKeyId: e.key.id,
    CreateDate: iso(e.key.created),
    RecycleDate: iso(e.recycled),
    DeleteDate: iso(e.purgeAt),
  };
}
