import { z } from 'zod';

/**
 * The scenario switches of an emulated world: how the service answers where the real one may answer more than one
 * way. Set in a fixture's `options`, changed while running by `POST /__emulator/options` (merged, then checked against
 * this schema), and back to the fixture's on reset.
 */
export const optionsSchema = z.strictObject({
  /**
   * The 2017 RAM docs say DeleteUser refuses while access keys, a login profile or an MFA device remain; the current
   * docs only name policies and groups. Default: the stricter, older rule (the safe order works on both).
   */
  deleteUserRequiresNoCredentials: z.boolean().default(true),
  /**
   * The refusal a clean without Force gets (recent access, or no audit logs to check it): the real code is
   * undocumented, so there are two forms with the same meaning — `recent-access` (ErrorCleanPermissions.RecentAccess,
   * 400) and `operation-denied` (OperationDenied, 403). Both SYNTHETIC; their messages speak of access records and
   * audit logs.
   */
  cleanRefusal: z.enum(['recent-access', 'operation-denied']).default('recent-access'),
  /** ListUserKubeConfigStates answers `page` without `total_count`, so a client must page until a short page. */
  omitKubeconfigStatesTotalCount: z.boolean().default(false),
  /**
   * ListClusterKubeconfigStates lists deleted identities without account_name/account_display_name: the real API
   * resolves names through RAM, which no longer knows them.
   */
  namelessDeletedIdentities: z.boolean().default(false),
  /**
   * RAM's recycle bin (IMS 2019-08-15): DeleteUser and DeleteAccessKey move the entry into the bin, purged
   * `retentionDays` later (RAM documents 30). Absent: deletes erase at once, and the bin stays empty.
   */
  recycleBin: z.strictObject({ retentionDays: z.number().int().min(1).max(3650).default(30) }).optional(),
  /**
   * Calls per second per operation per account, answered beyond with Throttling.User (gateway/quotas.ts). Keys: an
   * operation name (`DeleteUser`) or a group (`ram-read`, `ram-write`, `cs`, `sts`, `*`); the most specific wins.
   * Empty: no quotas.
   */
  quotas: z.record(z.string(), z.number().int().positive()).default({}),
});

export type WorldOptions = z.output<typeof optionsSchema>;
