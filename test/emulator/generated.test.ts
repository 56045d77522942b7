import type Cs from '@alicloud/cs20151215';
import * as $Cs from '@alicloud/cs20151215';
import * as $Ims from '@alicloud/ims20190815';
import * as $Ram from '@alicloud/ram20150501';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import {
  DEFAULT_GENERATE_SPEC,
  type GeneratedSummary,
  type GenerateSpec,
  generateFixture,
  parseGenerateSpec,
  type RunningEmulator,
  startEmulator,
  writeGeneratedFixture,
} from '../../emulator';
import { clients, expectApiError, imsClient, UID } from './clients';

/**
 * The generated account the orphan sweep is measured on: many clusters, identities and orphans (named, nameless, in
 * the recycle bin), paged the documented way — DescribeClustersV1 past 50 clusters, ListClusterKubeconfigStates at
 * most 50 a page over thousands of identities.
 */

type State = $Cs.ListClusterKubeconfigStatesResponseBodyStates;

async function start(spec: GenerateSpec): Promise<{ emu: RunningEmulator; summary: GeneratedSummary }> {
  const file = join(mkdtempSync(join(tmpdir(), 'emulator-generated-')), 'fixture.json');
  const summary = writeGeneratedFixture(spec, file);
  return { emu: await startEmulator({ port: 0, fixturePath: file }), summary };
}

async function allClusterIds(cs: Cs): Promise<{ ids: string[]; pages: number; total: number }> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const { body } = await cs.describeClustersV1(new $Cs.DescribeClustersV1Request({ pageSize: 50, pageNumber: page }));
    ids.push(...body!.clusters!.map((c) => c.clusterId!));
    const total = body!.pageInfo!.totalCount!;
    if (ids.length >= total) return { ids, pages: page, total };
  }
}

async function allStates(cs: Cs, clusterId: string): Promise<{ states: State[]; pages: number; total: number }> {
  const states: State[] = [];
  for (let page = 1; ; page++) {
    const { body } = await cs.listClusterKubeconfigStates(
      clusterId,
      new $Cs.ListClusterKubeconfigStatesRequest({ pageSize: 50, pageNumber: page }),
    );
    states.push(...body!.states!);
    expect(body!.page).toMatchObject({ pageNumber: page, pageSize: 50 });
    if (body!.states!.length < 50) return { states, pages: page, total: body!.page!.totalCount! };
  }
}

describe('the spec', () => {
  test('fields from the text, the rest from the defaults; nonsense refused', () => {
    expect(parseGenerateSpec('clusters=3,identities=100,orphans=20')).toEqual({
      ...DEFAULT_GENERATE_SPEC,
      clusters: 3,
      identities: 100,
      orphans: 20,
    });
    expect(() => parseGenerateSpec('clusterz=3')).toThrow(/unknown field clusterz/);
    expect(() => parseGenerateSpec('orphans=2,nameless=2,recycled=1')).toThrow(/nameless \+ recycled > orphans/);
    expect(() => parseGenerateSpec('density=2')).toThrow(/density/);
  });

  test('the same spec gives the same fixture', () => {
    const spec = parseGenerateSpec('clusters=4,identities=30,orphans=6,nameless=2,recycled=2,stale=3,density=0.5');
    expect(generateFixture(spec)).toEqual(generateFixture(spec));
  });
});

describe('a small generated account, swept whole', () => {
  const spec = parseGenerateSpec(
    'clusters=55,identities=120,orphans=12,roleOrphans=3,nameless=4,recycled=3,expired=3,stale=5,density=0.5,seed=7',
  );
  let emu: RunningEmulator;
  let summary: GeneratedSummary;
  let cs: Cs;

  beforeAll(async () => {
    ({ emu, summary } = await start(spec));
    ({ cs } = clients(emu));
  });
  afterAll(() => emu.close());

  test('DescribeClustersV1 pages past 50 clusters: every one once', async () => {
    const { ids, pages, total } = await allClusterIds(cs);
    expect(total).toBe(57); // 55 generated + the demo's two
    expect(pages).toBe(2);
    expect(new Set(ids).size).toBe(57);
    expect(ids).toEqual(expect.arrayContaining([...summary.clusterIds, 'c-prod-1', 'c-staging-1']));
    await expectApiError(
      cs.describeClustersV1(new $Cs.DescribeClustersV1Request({ pageSize: 101 })),
      E.csInvalidParameter,
      400,
    );
  });

  test('every orphan is found on its clusters, named or nameless; expired ones and live ones are not orphans', async () => {
    const found: Record<string, string[]> = {};
    const names = new Map<string, string | undefined>();
    const types = new Map<string, string | undefined>();
    let live = 0;
    for (const clusterId of summary.clusterIds) {
      const { states, total } = await allStates(cs, clusterId);
      expect(states).toHaveLength(total);
      for (const s of states) {
        if (s.accountState === 'Deleted' && s.certState === 'Unexpired') {
          (found[s.accountId!] ??= []).push(clusterId);
          names.set(s.accountId!, s.accountName);
          types.set(s.accountId!, s.accountType);
        } else if (s.accountState === 'Active') live++;
        else expect(summary.expired[s.accountId!]).toContain(clusterId);
      }
    }
    expect(found).toEqual(summary.orphans);
    expect(live).toBe(summary.liveKubeconfigs);
    expect(summary.roleOrphanUids).toHaveLength(3);
    for (const uid of Object.keys(summary.orphans)) {
      expect(types.get(uid)).toBe(summary.roleOrphanUids.includes(uid) ? 'RamRole' : 'RamUser');
    }
    for (const uid of summary.namelessUids) expect(names.get(uid)).toBeUndefined();
    for (const uid of Object.keys(summary.orphans).filter((u) => !summary.namelessUids.includes(u))) {
      expect(names.get(uid)).toMatch(/^gen-gone-/); // users and roles alike
    }
  });

  test('the recycled orphans are in the recycle bin, restorable; the stale users are disabled', async () => {
    const { body } = await imsClient(emu).listUsersInRecycleBin(new $Ims.ListUsersInRecycleBinRequest({}));
    expect(body!.users!.user!.map((u) => u.userId).sort()).toEqual([...summary.recycledUids].sort());
    for (const u of body!.users!.user!) expect(Date.parse(u.deleteDate!)).toBeGreaterThan(Date.now());

    const { ram } = clients(emu);
    const userName = summary.staleUserNames[0];
    await expectApiError(
      ram.getLoginProfile(new $Ram.GetLoginProfileRequest({ userName })),
      E.loginProfileNotFound,
      404,
    );
    const keys = (await ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName }))).body!.accessKeys!.accessKey!;
    expect(keys.map((k) => k.status)).toEqual(['Inactive']);
  });

  test('the demo stays: former-contractor is still an orphan of c-prod-1', async () => {
    const { states } = await allStates(cs, 'c-prod-1');
    expect(states.find((s) => s.accountId === UID.formerContractor)).toMatchObject({
      accountState: 'Deleted',
      certState: 'Unexpired',
    });
  });
});

describe('the default account (50 clusters × 2,000 identities)', () => {
  test('ListClusterKubeconfigStates pages of at most 50 list every identity of a cluster once', async () => {
    const { emu, summary } = await start(DEFAULT_GENERATE_SPEC);
    try {
      const { cs } = clients(emu);
      const clusterId = summary.clusterIds[0];
      const { states, pages, total } = await allStates(cs, clusterId);
      const onCluster = (byUid: Record<string, string[]>): number =>
        Object.values(byUid).filter((clusters) => clusters.includes(clusterId)).length;
      // Density 1: every live identity, plus the orphans and the expired deleted ones that were on this cluster.
      expect(total).toBe(DEFAULT_GENERATE_SPEC.identities + onCluster(summary.orphans) + onCluster(summary.expired));
      expect(states).toHaveLength(total);
      expect(new Set(states.map((s) => s.accountId)).size).toBe(total);
      expect(pages).toBe(Math.floor(total / 50) + 1);
      await expectApiError(
        cs.listClusterKubeconfigStates(clusterId, new $Cs.ListClusterKubeconfigStatesRequest({ pageSize: 51 })),
        E.csInvalidParameter,
        400,
      );
    } finally {
      await emu.close();
    }
  }, 30_000);
});
