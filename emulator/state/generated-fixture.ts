import { readFileSync, writeFileSync } from 'node:fs';
import { mulberry32 } from '../prng';
import { DEFAULT_FIXTURE_PATH } from './fixture';

/**
 * An account at the scale the orphan sweep meets: the demo fixture (its worker, keys and people) plus many clusters,
 * many live identities with kubeconfigs, and deleted ones whose kubeconfigs are still Unexpired (the orphans) — some
 * nameless, some still in RAM's recycle bin — with distractors a sweep must leave alone (deleted identities whose
 * kubeconfigs expired, live users that are merely stale). Seeded: the same spec gives the same fixture.
 */

export interface GenerateSpec {
  /** Generated clusters (`c-gen-0001`…), besides the demo's two. */
  clusters: number;
  /** Live RAM users (`gen-user-00001`…) holding kubeconfigs. */
  identities: number;
  /** Deleted users (`gen-gone-00001`…) with Unexpired kubeconfigs on 1–3 clusters and a grant on the first. */
  orphans: number;
  /** Deleted RAM roles (`gen-gone-role-0001`…) with Unexpired kubeconfigs on 1–3 clusters: orphans too. */
  roleOrphans: number;
  /** How many of the orphans RAM no longer names (listed without account_name). */
  nameless: number;
  /** How many of the orphans (after the nameless ones) are still in the recycle bin; turns the bin on. */
  recycled: number;
  /** Deleted users whose kubeconfigs all expired: not orphans. */
  expired: number;
  /** Live users disabled in all but name: no console login, their one key Inactive, last login 200 days ago. */
  stale: number;
  /** The share of generated clusters each live identity holds a kubeconfig on (1 = every one). */
  density: number;
  retentionDays: number;
  seed: number;
}

export const DEFAULT_GENERATE_SPEC: GenerateSpec = {
  clusters: 50,
  identities: 2000,
  orphans: 40,
  roleOrphans: 5,
  nameless: 10,
  recycled: 5,
  expired: 10,
  stale: 20,
  density: 1,
  retentionDays: 30,
  seed: 1,
};

/** What was generated, so a test or benchmark can check a sweep's report exactly. */
export interface GeneratedSummary {
  spec: GenerateSpec;
  clusterIds: string[];
  /** Every orphan, user or role: uid → the clusters it holds an Unexpired kubeconfig on. */
  orphans: Record<string, string[]>;
  roleOrphanUids: string[];
  namelessUids: string[];
  recycledUids: string[];
  /** Deleted identities whose kubeconfigs expired: uid → their clusters (listed as Expired, not orphans). */
  expired: Record<string, string[]>;
  staleUserNames: string[];
  /** Live generated identities' kubeconfigs (none of them may be touched by a sweep). */
  liveKubeconfigs: number;
}

/** `clusters=50,identities=2000,orphans=40` → a full spec (unnamed fields from DEFAULT_GENERATE_SPEC). */
export function parseGenerateSpec(text: string): GenerateSpec {
  const spec: GenerateSpec = { ...DEFAULT_GENERATE_SPEC };
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (!(key in spec)) throw new Error(`--generate: unknown field ${key} (known: ${Object.keys(spec).join(', ')})`);
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--generate: ${key} must be a non-negative number`);
    spec[key as keyof GenerateSpec] = n;
  }
  if (spec.density > 1) throw new Error('--generate: density is a share, from 0 to 1');
  if (spec.nameless + spec.recycled > spec.orphans) throw new Error('--generate: nameless + recycled > orphans');
  if (spec.stale > spec.identities) throw new Error('--generate: stale > identities');
  if (spec.recycled > 0 && spec.retentionDays < 2) throw new Error('--generate: recycled needs retentionDays >= 2');
  return spec;
}

const pad = (i: number, width: number): string => String(i).padStart(width, '0');

/** The fixture JSON (validated when loaded, like any fixture) and what it holds. */
export function generateFixture(spec: GenerateSpec): { fixture: Record<string, unknown>; summary: GeneratedSummary } {
  const random = mulberry32(spec.seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const fixture = JSON.parse(readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')) as Record<string, unknown>;
  const arr = (key: string): Record<string, unknown>[] =>
    ((fixture[key] as Record<string, unknown>[] | undefined) ??= []);
  fixture.$comment = `GENERATED (emulator/state/generated-fixture.ts) from ${JSON.stringify(spec)} on the demo fixture; demo secrets only.`;
  if (spec.recycled > 0) {
    fixture.options = { ...(fixture.options as object), recycleBin: { retentionDays: spec.retentionDays } };
  }
  const clusterIds = Array.from({ length: spec.clusters }, (_, i) => `c-gen-${pad(i + 1, 4)}`);
  if (spec.clusters > 0) fixture.generatedClusters = { count: spec.clusters, idPrefix: 'c-gen-' };
  const summary: GeneratedSummary = {
    spec,
    clusterIds,
    orphans: {},
    roleOrphanUids: [],
    namelessUids: [],
    recycledUids: [],
    expired: {},
    staleUserNames: [],
    liveKubeconfigs: 0,
  };
  const kubeconfigs = arr('kubeconfigs');
  const someClusters = (max: number): string[] => {
    const n = Math.min(clusterIds.length, 1 + pick(max));
    const chosen = new Set<string>();
    while (chosen.size < n) chosen.add(clusterIds[pick(clusterIds.length)]);
    return [...chosen].sort();
  };

  for (let i = 1; i <= spec.identities; i++) {
    const name = `gen-user-${pad(i, 5)}`;
    const stale = i <= spec.stale;
    arr('users').push({
      name,
      id: String(2_100_000_000_000_000 + i),
      displayName: `Generated user ${i}`,
      created: '-400d',
      ...(stale
        ? {
            lastLogin: '-200d',
            accessKeys: [
              { id: `LTAIgenStale${pad(i, 10)}`, secret: `genStaleSecretNotReal${pad(i, 10)}`, status: 'Inactive' },
            ],
          }
        : { lastLogin: `-${1 + pick(30)}d`, loginProfile: { created: '-400d' } }),
    });
    if (stale) summary.staleUserNames.push(name);
    for (const cluster of clusterIds) {
      if (spec.density < 1 && random() >= spec.density) continue;
      kubeconfigs.push({
        identity: `user/${name}`,
        cluster,
        state: 'Unexpired',
        issued: '-100d',
        lastAccess: `-${1 + pick(60)}d`,
      });
      summary.liveKubeconfigs++;
    }
  }

  for (let i = 1; i <= spec.orphans + spec.expired; i++) {
    const name = `gen-gone-${pad(i, 5)}`;
    const uid = String(2_190_000_000_000_000 + i);
    const orphan = i <= spec.orphans;
    const nameless = orphan && i <= spec.nameless;
    const recycled = orphan && !nameless && i <= spec.nameless + spec.recycled;
    arr('deletedUsers').push({
      name,
      id: uid,
      displayName: `Generated former user ${i}`,
      // In the bin: deleted within the retention; otherwise long enough ago that RAM purged it.
      deleted: recycled ? `-${1 + pick(spec.retentionDays - 1)}d` : `-${spec.retentionDays + 1 + pick(300)}d`,
      ...(nameless && { nameless: true }),
      ...(recycled && { inRecycleBin: true }),
    });
    const clusters = someClusters(3);
    for (const cluster of clusters) {
      kubeconfigs.push({
        identity: `user/${name}`,
        cluster,
        state: orphan ? 'Unexpired' : 'Expired',
        issued: orphan ? '-400d' : '-1200d',
        ...(!orphan && { expires: '-10d' }),
        lastAccess: '-380d',
      });
    }
    if (!orphan) {
      summary.expired[uid] = clusters;
      continue;
    }
    summary.orphans[uid] = clusters;
    if (nameless) summary.namelessUids.push(uid);
    if (recycled) summary.recycledUids.push(uid);
    arr('grants').push({ identity: `user/${name}`, cluster: clusters[0], role: 'dev' });
  }
  for (let i = 1; i <= spec.roleOrphans; i++) {
    const name = `gen-gone-role-${pad(i, 4)}`;
    const uid = `319${pad(i, 16)}`; // 19 digits, as role ids are: beyond a double's exact integers, so a string
    arr('deletedRoles').push({ name, id: uid, deleted: `-${1 + pick(300)}d` });
    const clusters = someClusters(3);
    for (const cluster of clusters) {
      kubeconfigs.push({ identity: `role/${name}`, cluster, state: 'Unexpired', issued: '-400d', lastAccess: '-380d' });
    }
    summary.orphans[uid] = clusters;
    summary.roleOrphanUids.push(uid);
    arr('grants').push({ identity: `role/${name}`, cluster: clusters[0], role: 'dev' });
  }
  return { fixture, summary };
}

/** Writes the generated fixture to `file` (for `--fixture`, a child emulator, or reset) and returns its summary. */
export function writeGeneratedFixture(spec: GenerateSpec, file: string): GeneratedSummary {
  const { fixture, summary } = generateFixture(spec);
  writeFileSync(file, JSON.stringify(fixture));
  return summary;
}
