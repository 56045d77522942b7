import type { Fixture } from './fixture-schema';

/**
 * A fixture's `generatedClusters`: many more clusters than anyone lists by hand, so that paging past the first 100
 * can be tested, each with an Unexpired kubeconfig of the identities named.
 */

type FixtureCluster = Fixture['clusters'][number];
type FixtureKubeconfig = Fixture['kubeconfigs'][number];

/** The ids of `generatedClusters`: `<idPrefix>0001`, `<idPrefix>0002`, … */
export function generatedClusterIds(f: Fixture): string[] {
  const g = f.generatedClusters;
  if (!g) return [];
  return Array.from({ length: g.count }, (_, i) => `${g.idPrefix}${String(i + 1).padStart(4, '0')}`);
}

export function generatedClusters(f: Fixture): FixtureCluster[] {
  return generatedClusterIds(f).map((id) => ({
    id,
    name: id.replace(/^c-/, ''),
    state: 'running',
    clusterType: 'ManagedKubernetes',
    clusterSpec: 'ack.pro.small',
    profile: 'Default',
    version: '1.31.1-aliyun.1',
    size: 3,
    created: '-200d',
    vpcId: 'vpc-demo0000000000000001',
    resourceGroupId: 'rg-demo000000000001',
    auditLog: true,
    certStatesUnknown: false,
    kubeconfigStatesDenied: false,
    tags: [{ key: 'generated', value: 'true' }],
  }));
}

export function generatedKubeconfigs(f: Fixture): FixtureKubeconfig[] {
  const who = f.generatedClusters?.kubeconfigsOf ?? [];
  return generatedClusterIds(f).flatMap((cluster) =>
    who.map((identity) => ({ identity, cluster, state: 'Unexpired' as const, issued: '-100d', lastAccess: '-30d' })),
  );
}
