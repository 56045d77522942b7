import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The fixture format: the world an emulator starts from. Times are either absolute (ISO 8601) or relative to the
 * moment the fixture is loaded (`-2d`, `-5m`, `+30d`), so "bob used c-prod-1 two days ago" stays true forever.
 */

export const DEFAULT_FIXTURE_PATH = path.join(__dirname, 'fixtures', 'demo.json');

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
/** `root`, `user/<name>` or `role/<name>`; deleted users are referenced as `user/<name>` too. */
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
    rootAccessKeys: z.array(accessKey).min(1),
  }),
  options: z
    .strictObject({
      /**
       * The 2017 RAM docs say DeleteUser refuses while access keys, a login profile or an MFA device remain; the
       * current docs only name policies and groups. Default: the stricter, older rule (the safe order works on both).
       */
      deleteUserRequiresNoCredentials: z.boolean().default(true),
    })
    .default({ deleteUserRequiresNoCredentials: true }),
  policies: z.array(policy).default([]),
  groups: z.array(group).default([]),
  users: z.array(user).default([]),
  roles: z.array(role).default([]),
  /** RAM users deleted before the fixture's "now": their kubeconfigs and grants may still exist. */
  deletedUsers: z
    .array(z.strictObject({ name: ramName, id: numericId, displayName: z.string().optional(), deleted: time }))
    .default([]),
  clusters: z.array(cluster).default([]),
  kubeconfigs: z.array(kubeconfig).default([]),
  grants: z.array(grant).default([]),
});

export type Fixture = z.output<typeof fixtureSchema>;
export type FixtureAccessKey = z.output<typeof accessKey>;

/** Reads and validates a fixture file; throws an Error that names the file and each problem. */
export function loadFixture(file: string): Fixture {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read fixture ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseFixture(raw, file);
}

export function parseFixture(raw: unknown, source = 'fixture'): Fixture {
  const parsed = fixtureSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid fixture ${source}:\n${lines.join('\n')}`);
  }
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new Error(`invalid fixture ${source}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return parsed.data;
}

/** Referential checks zod cannot express: unique names/ids/keys, and every reference resolves. */
function crossCheck(f: Fixture): string[] {
  const problems: string[] = [];
  const dup = (what: string, values: string[]): void => {
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v)) problems.push(`duplicate ${what} ${v}`);
      seen.add(v);
    }
  };
  dup(
    'policy',
    f.policies.map((p) => p.name),
  );
  dup(
    'group',
    f.groups.map((g) => g.name),
  );
  dup('user', [...f.users.map((u) => u.name)]);
  dup(
    'role',
    f.roles.map((r) => r.name),
  );
  dup(
    'cluster',
    f.clusters.map((c) => c.id),
  );
  dup('uid', [
    f.account.id,
    ...f.users.map((u) => u.id),
    ...f.roles.map((r) => r.id),
    ...f.deletedUsers.map((u) => u.id),
  ]);
  dup(
    'access key',
    [...f.account.rootAccessKeys, ...f.users.flatMap((u) => u.accessKeys)].map((k) => k.id),
  );

  const policies = new Set(f.policies.map((p) => p.name));
  const groups = new Set(f.groups.map((g) => g.name));
  const clusters = new Set(f.clusters.map((c) => c.id));
  const identities = new Set([
    'root',
    ...f.users.map((u) => `user/${u.name}`),
    ...f.roles.map((r) => `role/${r.name}`),
    ...f.deletedUsers.map((u) => `user/${u.name}`),
  ]);
  for (const live of f.users) {
    if (f.deletedUsers.some((d) => d.name === live.name)) problems.push(`user ${live.name} is both live and deleted`);
  }
  const needPolicy = (owner: string, names: string[]): void => {
    for (const n of names) if (!policies.has(n)) problems.push(`${owner}: unknown policy ${n}`);
  };
  for (const u of f.users) {
    needPolicy(`user ${u.name}`, u.policies);
    for (const g of u.groups) if (!groups.has(g)) problems.push(`user ${u.name}: unknown group ${g}`);
  }
  for (const r of f.roles) needPolicy(`role ${r.name}`, r.policies);
  for (const g of f.groups) needPolicy(`group ${g.name}`, g.policies);
  for (const k of f.kubeconfigs) {
    if (!identities.has(k.identity)) problems.push(`kubeconfig: unknown identity ${k.identity}`);
    if (!clusters.has(k.cluster)) problems.push(`kubeconfig: unknown cluster ${k.cluster}`);
  }
  for (const g of f.grants) {
    if (!identities.has(g.identity)) problems.push(`grant: unknown identity ${g.identity}`);
    if (g.cluster !== undefined && !clusters.has(g.cluster)) problems.push(`grant: unknown cluster ${g.cluster}`);
    if (g.namespace !== undefined && g.cluster === undefined) problems.push(`grant: namespace without cluster`);
  }
  return problems;
}

export interface AccessKeyCredentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/**
 * The first access key of `root` or `user/<name>` in a fixture, ready for an SDK Config. A convenience for tests and
 * the demo: a fixture's secrets are demo strings, never real credentials.
 */
export function fixtureCredentials(fixture: Fixture, identity: string): AccessKeyCredentials {
  const keys =
    identity === 'root'
      ? fixture.account.rootAccessKeys
      : fixture.users.find((u) => `user/${u.name}` === identity)?.accessKeys;
  const key = keys?.[0];
  if (!key) throw new Error(`fixture has no access key for ${identity}`);
  return { accessKeyId: key.id, accessKeySecret: key.secret };
}
