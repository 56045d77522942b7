import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DAY_MS } from '../time';
import { type Fixture, fixtureSchema, resolveTime } from './fixture-schema';
import { generatedClusterIds } from './generated-clusters';
import { parsePolicyDocument } from './policy-document';

/** Loading a fixture (emulator/fixtures/*.json): schema, then the references between its parts. */

export const DEFAULT_FIXTURE_PATH = path.join(__dirname, '..', 'fixtures', 'demo.json');

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

function parseFixture(raw: unknown, source: string): Fixture {
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
  const unique: [string, string[]][] = [
    ['policy', f.policies.map((p) => p.name)],
    ['group', f.groups.map((g) => g.name)],
    ['user', f.users.map((u) => u.name)],
    ['role', f.roles.map((r) => r.name)],
    ['cluster', [...f.clusters.map((c) => c.id), ...generatedClusterIds(f)]],
    [
      'uid',
      [
        f.account.id,
        ...f.users.map((u) => u.id),
        ...f.roles.map((r) => r.id),
        ...f.deletedUsers.map((u) => u.id),
        ...f.deletedRoles.map((r) => r.id),
      ],
    ],
    ['access key', [...f.account.rootAccessKeys, ...f.users.flatMap((u) => u.accessKeys)].map((k) => k.id)],
  ];
  for (const [what, values] of unique) {
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v)) problems.push(`duplicate ${what} ${v}`);
      seen.add(v);
    }
  }

  const policies = new Set(f.policies.map((p) => p.name));
  const groups = new Set(f.groups.map((g) => g.name));
  const clusters = new Set([...f.clusters.map((c) => c.id), ...generatedClusterIds(f)]);
  const identities = new Set([
    'root',
    ...f.users.map((u) => `user/${u.name}`),
    ...f.roles.map((r) => `role/${r.name}`),
    ...f.deletedUsers.map((u) => `user/${u.name}`),
    ...f.deletedRoles.map((r) => `role/${r.name}`),
  ]);
  for (const live of f.roles) {
    if (f.deletedRoles.some((d) => d.name === live.name)) problems.push(`role ${live.name} is both live and deleted`);
  }
  const retentionDays = f.options.recycleBin?.retentionDays;
  for (const d of f.deletedUsers.filter((u) => u.inRecycleBin)) {
    if (retentionDays === undefined) problems.push(`deleted user ${d.name}: inRecycleBin needs options.recycleBin`);
    else if (resolveTime(d.deleted, Date.now()) + retentionDays * DAY_MS <= Date.now()) {
      problems.push(
        `deleted user ${d.name}: in the recycle bin, but RAM purged it already (deleted + retention is past)`,
      );
    }
  }
  for (const live of f.users) {
    if (f.deletedUsers.some((d) => d.name === live.name)) problems.push(`user ${live.name} is both live and deleted`);
  }
  for (const p of f.policies) {
    if (p.document === undefined) continue;
    const doc = parsePolicyDocument(p.document, 'permission');
    if (typeof doc === 'string') problems.push(`policy ${p.name}: ${doc}`);
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
  for (const who of f.generatedClusters?.kubeconfigsOf ?? []) {
    if (!identities.has(who)) problems.push(`generatedClusters: unknown identity ${who}`);
  }
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
