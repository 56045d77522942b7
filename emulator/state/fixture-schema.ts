import { z } from 'zod';
import { optionsSchema } from './options';

/**
 * The fixture format: the world an emulator starts from. Times are either absolute (ISO 8601) or relative to the
 * moment the fixture is loaded (`-2d`, `-5m`, `+30d`), so "bob used c-prod-1 two days ago" stays true forever.
 */

const RELATIVE_TIME = /^([+-])(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const time = z
  .string()
  .refine((v) => RELATIVE_TIME.test(v) || !Number.isNaN(Date.parse(v)), 'expected "-2d"-style or ISO 8601 time');

/** Resolves a fixture time against `now`; returns epoch milliseconds. */
export function resolveTime(value: string, now: number): number {
  const m = RELATIVE_TIME.exec(value);
  if (!m) return Date.parse(value);
  const delta = Number(m[2]) * UNIT_MS[m[3]];
  return m[1] === '-' ? now - delta : now + delta;
}

const numericId = z.string().regex(/^\d{16,20}$/, 'RAM ids are numeric strings of 16+ digits');
const ramName = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
/** `root`, `user/<name>` or `role/<name>`; deleted users and roles are referenced the same way. */
const identityRef = z.string().regex(/^(root|user\/[A-Za-z0-9._-]{1,64}|role\/[A-Za-z0-9._-]{1,64})$/);

const accessKey = z.strictObject({
  id: z.string().min(1),
  secret: z.string().min(1),
  status: z.enum(['Active', 'Inactive']).default('Active'),
  created: time.default('-180d'),
  lastUsed: time.optional(),
});

const user = z.strictObject({
  name: ramName,
  id: numericId,
  displayName: z.string().optional(),
  email: z.string().optional(),
  mobilePhone: z.string().optional(),
  comments: z.string().optional(),
  created: time.default('-365d'),
  lastLogin: time.optional(),
  accessKeys: z.array(accessKey).default([]),
  loginProfile: z
    .strictObject({
      created: time.default('-365d'),
      passwordResetRequired: z.boolean().default(false),
      mfaBindRequired: z.boolean().default(false),
    })
    .optional(),
  mfa: z.strictObject({ serialNumber: z.string(), type: z.enum(['VMFA', 'U2F']).default('VMFA') }).optional(),
  groups: z.array(z.string()).default([]),
  /** Policy names, looked up in `policies`. */
  policies: z.array(z.string()).default([]),
});

const role = z.strictObject({
  name: ramName,
  id: numericId,
  description: z.string().default(''),
  assumeRolePolicyDocument: z.string().optional(),
  maxSessionDuration: z.number().int().default(3600),
  created: time.default('-365d'),
  policies: z.array(z.string()).default([]),
});

const group = z.strictObject({
  name: ramName,
  id: numericId,
  comments: z.string().default(''),
  created: time.default('-365d'),
  policies: z.array(z.string()).default([]),
});

const policy = z.strictObject({
  name: z.string().min(1),
  type: z.enum(['System', 'Custom']),
  description: z.string().default(''),
  defaultVersion: z.string().default('v1'),
  created: time.default('-365d'),
  /** A custom policy's document (JSON text); its explicit Deny statements are enforced (gateway/authorize.ts). */
  document: z.string().optional(),
});

const cluster = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  state: z.string().default('running'),
  clusterType: z.string().default('ManagedKubernetes'),
  clusterSpec: z.string().default('ack.pro.small'),
  profile: z.string().default('Default'),
  regionId: z.string().optional(),
  zoneId: z.string().optional(),
  version: z.string().default('1.31.1-aliyun.1'),
  size: z.number().int().default(3),
  created: time.default('-365d'),
  vpcId: z.string().default('vpc-demo0000000000000001'),
  resourceGroupId: z.string().default('rg-demo000000000001'),
  /** Without audit logs the 7-day access check cannot run, and the real service then refuses a clean without Force. */
  auditLog: z.boolean().default(true),
  /** The service cannot read this cluster's certificates: issued kubeconfigs read `Unknown`, and a clean cannot change that. */
  certStatesUnknown: z.boolean().default(false),
  /** As a RAM policy denying this one cluster would: ListClusterKubeconfigStates on it answers StatusForbidden 403. */
  kubeconfigStatesDenied: z.boolean().default(false),
  tags: z.array(z.strictObject({ key: z.string(), value: z.string() })).default([]),
});

const certState = z.enum(['Unexpired', 'Expired', 'Unissued', 'Unknown', 'Removed']);

const kubeconfig = z.strictObject({
  identity: identityRef,
  cluster: z.string(),
  state: certState,
  issued: time.optional(),
  /** Default: `issued` + 3 years (the default client-certificate validity). */
  expires: time.optional(),
  /** Last use of the cluster by this identity, as the API server's audit log would show it. */
  lastAccess: time.optional(),
});

const grant = z.strictObject({
  identity: identityRef,
  /** Absent = an all-clusters grant. */
  cluster: z.string().optional(),
  namespace: z.string().optional(),
  /** `admin`, `admin-view`, `ops`, `dev`, `restricted`, or a custom ClusterRole name (with `custom: true`). */
  role: z.string().min(1),
  custom: z.boolean().default(false),
  owner: z.boolean().default(false),
});

export const fixtureSchema = z.strictObject({
  $comment: z.string().optional(),
  regionId: z.string().default('cn-hangzhou'),
  account: z.strictObject({
    id: z.string().regex(/^\d{16}$/),
    name: z.string().default('demo-account'),
    /** The account alias in logon names (`<user>@<alias>.onaliyun.com`, IMS); default the account id. */
    alias: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{0,49}$/)
      .optional(),
    rootAccessKeys: z.array(accessKey).min(1),
  }),
  options: optionsSchema.prefault({}),
  policies: z.array(policy).default([]),
  groups: z.array(group).default([]),
  users: z.array(user).default([]),
  roles: z.array(role).default([]),
  /** RAM users deleted before the fixture's "now": their kubeconfigs and grants may still exist. */
  deletedUsers: z
    .array(
      z.strictObject({
        name: ramName,
        id: numericId,
        displayName: z.string().optional(),
        created: time.default('-365d'),
        deleted: time,
        /** RAM no longer resolves its name: ListClusterKubeconfigStates lists it without one. */
        nameless: z.boolean().default(false),
        /** Still in RAM's recycle bin (needs `options.recycleBin`): DeleteDate = `deleted` + retention. */
        inRecycleBin: z.boolean().default(false),
      }),
    )
    .default([]),
  /** RAM roles deleted before the fixture's "now" (roles have no recycle bin): kubeconfigs and grants may remain. */
  deletedRoles: z
    .array(
      z.strictObject({
        name: ramName,
        id: numericId,
        deleted: time,
        /** RAM no longer resolves its name: ListClusterKubeconfigStates lists it without one. */
        nameless: z.boolean().default(false),
      }),
    )
    .default([]),
  clusters: z.array(cluster).default([]),
  /**
   * Many more clusters than anyone would list by hand: `count` clusters `<idPrefix>0001`…, each with an Unexpired
   * kubeconfig for every identity in `kubeconfigsOf` — so a client that stops paging early misses one.
   */
  generatedClusters: z
    .strictObject({
      count: z.number().int().min(1).max(10_000),
      idPrefix: z
        .string()
        .regex(/^[a-z0-9-]{1,40}$/)
        .default('c-gen-'),
      kubeconfigsOf: z.array(identityRef).default([]),
    })
    .optional(),
  kubeconfigs: z.array(kubeconfig).default([]),
  grants: z.array(grant).default([]),
});

export type Fixture = z.output<typeof fixtureSchema>;
