import * as $ims from '@alicloud/ims20190815';
import * as $ram from '@alicloud/ram20150501';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type ActivityContext } from './deps';

/**
 * RAM's whole directory, read to its end: every live user and role by uid, and every user in the recycle bin. The
 * sweep decides what is gone from these lists and nothing else: a uid counts as gone only when neither list of live
 * identities has it, so a name (which Alibaba may omit, and which a new identity may take) never decides.
 */

export interface LiveIdentity {
  type: 'user' | 'role';
  name: string;
}

export interface RecycledUser {
  name: string;
  recycleDate: string;
  deleteDate: string;
}

export interface RamDirectory {
  /** Every live RAM user and role, by uid (ListUsers, ListRoles: all pages). */
  liveIdentities(requestIds: string[]): Promise<Map<string, LiveIdentity>>;
  /** Every user in RAM's recycle bin, by uid (IMS ListUsersInRecycleBin: all pages). */
  recycledUsers(requestIds: string[]): Promise<Map<string, RecycledUser>>;
}

/** More pages than any directory has: reaching it means the marker does not end, refused, never truncated. */
const MAX_PAGES = 10_000;

interface MarkerPage<T> {
  items: T[];
  isTruncated?: boolean;
  marker?: string;
}

/** Follows RAM's Marker/IsTruncated paging to the end. */
async function readMarkerPages<T>(
  operation: string,
  fetchPage: (marker: string | undefined) => Promise<MarkerPage<T>>,
): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await fetchPage(marker);
    items.push(...res.items);
    if (!res.isTruncated) return items;
    if (!res.marker || res.marker === marker) break;
    marker = res.marker;
  }
  throw ApplicationFailure.create({
    type: FailureType.Unexpected,
    message: `${operation} is truncated without a new marker: refusing to go on with a partial list`,
    nonRetryable: true,
  });
}

export function ramDirectory({ deps, sdk }: Pick<ActivityContext, 'deps' | 'sdk'>): RamDirectory {
  const { ram, ims } = deps.clients;
  return {
    async liveIdentities(requestIds) {
      const users = await readMarkerPages('ListUsers', async (marker) => {
        const res = await sdk.call(
          'ListUsers',
          () => ram.listUsers(new $ram.ListUsersRequest({ maxItems: 1000, ...(marker && { marker }) })),
          requestIds,
        );
        return { items: res.body?.users?.user ?? [], isTruncated: res.body?.isTruncated, marker: res.body?.marker };
      });
      const roles = await readMarkerPages('ListRoles', async (marker) => {
        const res = await sdk.call(
          'ListRoles',
          () => ram.listRoles(new $ram.ListRolesRequest({ maxItems: 1000, ...(marker && { marker }) })),
          requestIds,
        );
        return { items: res.body?.roles?.role ?? [], isTruncated: res.body?.isTruncated, marker: res.body?.marker };
      });
      const live = new Map<string, LiveIdentity>();
      for (const u of users) if (u.userId) live.set(u.userId, { type: 'user', name: u.userName ?? '' });
      for (const r of roles) if (r.roleId) live.set(r.roleId, { type: 'role', name: r.roleName ?? '' });
      return live;
    },

    async recycledUsers(requestIds) {
      const users = await readMarkerPages('ListUsersInRecycleBin', async (marker) => {
        const res = await sdk.call(
          'ListUsersInRecycleBin',
          () =>
            ims.listUsersInRecycleBin(
              new $ims.ListUsersInRecycleBinRequest({ maxItems: 100, ...(marker && { marker }) }),
            ),
          requestIds,
        );
        return { items: res.body?.users?.user ?? [], isTruncated: res.body?.isTruncated, marker: res.body?.marker };
      });
      const recycled = new Map<string, RecycledUser>();
      for (const u of users) {
        if (!u.userId) continue;
        recycled.set(u.userId, {
          name: (u.userPrincipalName ?? '').split('@')[0],
          recycleDate: u.recycleDate ?? '',
          deleteDate: u.deleteDate ?? '',
        });
      }
      return recycled;
    },
  };
}
