import * as $cs from '@alicloud/cs20151215';
import type CsClient from '@alicloud/cs20151215';
import { type KubeconfigState, type LeftoverKubeconfig, type RbacGrant, type TargetIdentity } from '../common/types';
import { type SdkCalls } from './sdk-call';

/**
 * The CS reads several stages make: an identity's kubeconfigs and RBAC grants (inventory, verification, the last
 * check before deletion), and the kubeconfigs left on clusters by an identity RAM no longer knows. Each adds the
 * request ids of its calls to the list it is given.
 */
export interface ClusterReads {
  kubeconfigs(uid: string, requestIds: string[]): Promise<KubeconfigState[]>;
  grants(uid: string, requestIds: string[]): Promise<RbacGrant[]>;
  /** Kubeconfigs still issued on any cluster to an identity of that name that RAM no longer knows. */
  leftoverKubeconfigs(target: TargetIdentity, requestIds: string[]): Promise<LeftoverKubeconfig[]>;
}

const PAGE_SIZE = 50;

interface Page<S> {
  body?: { states?: S[]; page?: { totalCount?: number } };
}

/** Reads pages until one is empty or the reported total is reached; a missing page (NotFound) ends the list. */
async function readPages<S>(fetchPage: (pageNumber: number) => Promise<Page<S> | undefined>): Promise<S[]> {
  const items: S[] = [];
  for (let pageNumber = 1; pageNumber <= 100; pageNumber++) {
    const res = await fetchPage(pageNumber);
    const batch = res?.body?.states ?? [];
    items.push(...batch);
    if (batch.length === 0 || items.length >= (res?.body?.page?.totalCount ?? items.length)) break;
  }
  return items;
}

export function clusterReads(cs: CsClient, sdk: SdkCalls): ClusterReads {
  return {
    async kubeconfigs(uid, requestIds) {
      const states = await readPages((pageNumber) =>
        sdk.call(
          'ListUserKubeConfigStates',
          () =>
            cs.listUserKubeConfigStates(
              uid,
              new $cs.ListUserKubeConfigStatesRequest({ pageNumber, pageSize: PAGE_SIZE }),
            ),
          requestIds,
        ),
      );
      return states.map((s) => ({
        clusterId: s.clusterId ?? '',
        clusterName: s.clusterName,
        clusterState: s.clusterState,
        certState: s.certState ?? 'Unknown',
        certExpireTime: s.certExpireTime,
      }));
    },

    async grants(uid, requestIds) {
      const res = await sdk.call('DescribeUserPermission', () => cs.describeUserPermission(uid), requestIds);
      return (res.body ?? []).map((g) => ({
        resourceId: g.resourceId ?? '',
        resourceType: g.resourceType ?? '',
        roleName: g.roleName ?? '',
        roleType: g.roleType ?? '',
        isOwner: Number(g.isOwner) === 1,
        isRamRole: Number(g.isRamRole) === 1,
      }));
    },

    async leftoverKubeconfigs(target, requestIds) {
      const clusters = await sdk.call(
        'DescribeClustersV1',
        () => cs.describeClustersV1(new $cs.DescribeClustersV1Request({ pageNumber: 1, pageSize: 100 })),
        requestIds,
      );
      const accountType = target.type === 'user' ? 'RamUser' : 'RamRole';
      const leftovers: LeftoverKubeconfig[] = [];
      for (const { clusterId, name: clusterName } of clusters.body?.clusters ?? []) {
        if (!clusterId) continue;
        const states = await readPages((pageNumber) =>
          sdk.callOptional(
            'ListClusterKubeconfigStates',
            () =>
              cs.listClusterKubeconfigStates(
                clusterId,
                new $cs.ListClusterKubeconfigStatesRequest({ pageNumber, pageSize: PAGE_SIZE }),
              ),
            requestIds,
          ),
        );
        for (const s of states) {
          if (s.accountName === target.name && s.accountType === accountType && s.certState === 'Unexpired') {
            leftovers.push({
              clusterId,
              clusterName,
              certState: s.certState,
              certExpireTime: s.certExpireTime,
              uid: s.accountId ?? '',
            });
          }
        }
      }
      return leftovers;
    },
  };
}
