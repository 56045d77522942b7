import type { ActionDef } from '../action';
import { recycledKeyActions } from './access-keys';
import { recycledUserActions } from './users';

/**
 * IMS 2019-08-15: RAM's recycle bin. RPC style like RAM (`POST /`, x-acs-action, every parameter in the query,
 * PascalCase bodies), told apart by x-acs-version; authorized as RAM actions (`ram:ListUsersInRecycleBin`, reads with
 * RAM read access, restore and purge with RAM write access). The bin itself is state/recycle-bin.ts: DeleteUser and
 * DeleteAccessKey fill it when the `recycleBin` option is on.
 */
export const imsActions: readonly ActionDef[] = [...recycledUserActions, ...recycledKeyActions];
