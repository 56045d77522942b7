import * as $cs from '@alicloud/cs20151215';
import type CsClient from '@alicloud/cs20151215';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import {
  type ClusterFacts,
  type KubeconfigState,
  type LeftoverKubeconfig,
  type RbacGrant,
  type TargetIdentity,
} from '../common/types';
import { type SdkCalls } from './sdk-call';

/**
 * The CS reads several stages make: the clusters of the account, an identity's kubeconfigs and RBAC grants
 * (inventory, verification, the live check before deletion), and the kubeconfigs left on clusters by identities RAM
 * no longer knows. Every list is read to its end. Each read adds the request ids of its calls to the list it is given.
 */
export interface ClusterReads {
  /** Every cluster DescribeClustersV1 lists (all pages). */
  clusters(requestIds: string[]): Promise<ListedCluster[]>;
  /** Whether API-server auditing is on: the cluster's own `meta_data`, confirmed by GetClusterAuditProject if not. */
  auditLog(cluster: ListedCluster, requestIds: string[]): Promise<boolean>;
  kubeconfigs(uid: string, requestIds: string[]): Promise<KubeconfigState[]>;
  grants(uid: string, requestIds: string[]): Promise<RbacGrant[]>;
  /**
   * Valid kubeconfigs of identities RAM no longer knows, on `clusters`: those of `target` (by a uid in `knownUids`, or
   * by name and type), and those of deleted identities listed without a name that may be its.
   */
  leftoverKubeconfigs(
    target: TargetIdentity,
    knownUids: readonly string[],
    clusters: readonly ClusterFacts[],
    requestIds: string[],
  ): Promise<{ leftovers: LeftoverKubeconfig[]; unattributed: LeftoverKubeconfig[] }>;
  /** Every kubeconfig one cluster lists (ListClusterKubeconfigStates, all pages); undefined when the cluster is gone. */
  clusterKubeconfigs(clusterId: string, requestIds: string[]): Promise<ClusterKubeconfig[] | undefined>;
}

/** One row of ListClusterKubeconfigStates: whose kubeconfig it is, as the cluster knows them, and its state. */
export interface ClusterKubeconfig {
  uid: string;
  /** Absent when Alibaba lists a deleted identity without its name. */
  name?: string;
  accountType: string;
  /** Active, InActive or Deleted. */
  accountState: string;
  certState: string;
  certExpireTime?: string;
}

/** A cluster as listed, with its `meta_data` JSON (kept out of results: it is only read for the audit-log project). */
export type ListedCluster = ClusterFacts & { metaData?: string };

/** Cert states a kubeconfig may still be used in: `Unknown` counts, since it is not known to be revoked. */
export const VALID_CERT_STATES: readonly string[] = ['Unexpired', 'Unknown'];

/** More pages than any account has: reaching it means the paging does not end, which is refused, never truncated. */
const MAX_PAGES = 1_000;

interface Page<S> {
  items: S[];
  /** Absent when the service does not report it: then only an empty page ends the list. */
  totalCount?: number;
}

/**
 * Reads pages until one is empty or the reported total is reached; a missing page (NotFound) ends the list. A page
 * shorter than asked is not taken as the last one: a service may cap the page size below what was asked.
 */
async function readPages<S>(operation: string, fetchPage: (pageNumber: number) => Promise<Page<S> | undefined>) {
  const items: S[] = [];
  for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
    const page = await fetchPage(pageNumber);
    const batch = page?.items ?? [];
    items.push(...batch);
    if (batch.length === 0 || (page?.totalCount !== undefined && items.length >= page.totalCount)) return items;
  }
  throw ApplicationFailure.create({
    type: FailureType.Unexpected,
    message: `${operation} did not end after ${MAX_PAGES} pages: refusing to go on with a partial list`,
    nonRetryable: true,
  });
}

export function clusterReads(cs: CsClient, sdk: SdkCalls): ClusterReads {
  async function clusterKubeconfigs(clusterId: string, requestIds: string[]): Promise<ClusterKubeconfig[] | undefined> {
    let gone = false;
    const states = await readPages('ListClusterKubeconfigStates', async (pageNumber) => {
      const res = await sdk.callOptional(
        'ListClusterKubeconfigStates',
        () =>
          cs.listClusterKubeconfigStates(
            clusterId,
            new $cs.ListClusterKubeconfigStatesRequest({ pageNumber, pageSize: 50 }),
          ),
        requestIds,
      );
      if (!res && pageNumber === 1) gone = true;
      return res && { items: res.body?.states ?? [], totalCount: res.body?.page?.totalCount };
    });
    if (gone) return undefined;
    return states.map((s) => ({
      uid: s.accountId ?? '',
      ...(s.accountName ? { name: s.accountName } : {}),
      accountType: s.accountType ?? '',
      accountState: s.accountState ?? '',
      certState: s.certState ?? 'Unknown',
      ...(s.certExpireTime ? { certExpireTime: s.certExpireTime } : {}),
    }));
  }

  return {
    async clusters(requestIds) {
      const listed = await readPages('DescribeClustersV1', async (pageNumber) => {
        const res = await sdk.call(
          'DescribeClustersV1',
          () => cs.describeClustersV1(new $cs.DescribeClustersV1Request({ pageNumber, pageSize: 100 })),
          requestIds,
        );
        return { items: res.body?.clusters ?? [], totalCount: res.body?.pageInfo?.totalCount };
      });
      return listed
        .filter((c) => c.clusterId)
        .map((c): ListedCluster => ({ clusterId: c.clusterId as string, name: c.name, metaData: c.metaData }));
    },

    async auditLog(cluster, requestIds) {
      // Real clusters name their audit-log project in meta_data (seen in real answers, not a documented field); when
      // it is not there, the documented GetClusterAuditProject decides.
      if (auditProjectOf(cluster.metaData)) return true;
      const res = await sdk.call(
        'GetClusterAuditProject',
        () => cs.getClusterAuditProject(cluster.clusterId),
        requestIds,
      );
      return res.body?.auditEnabled === true;
    },

    async kubeconfigs(uid, requestIds) {
      const states = await readPages('ListUserKubeConfigStates', async (pageNumber) => {
        const res = await sdk.call(
          'ListUserKubeConfigStates',
          () =>
            cs.listUserKubeConfigStates(uid, new $cs.ListUserKubeConfigStatesRequest({ pageNumber, pageSize: 100 })),
          requestIds,
        );
        return { items: res.body?.states ?? [], totalCount: res.body?.page?.totalCount };
      });
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

    clusterKubeconfigs,

    async leftoverKubeconfigs(target, knownUids, clusters, requestIds) {
      const accountType = target.type === 'user' ? 'RamUser' : 'RamRole';
      const leftovers: LeftoverKubeconfig[] = [];
      const unattributed: LeftoverKubeconfig[] = [];
      for (const { clusterId, name: clusterName } of clusters) {
        const states = (await clusterKubeconfigs(clusterId, requestIds)) ?? [];
        for (const s of states) {
          if (s.accountType !== accountType || !VALID_CERT_STATES.includes(s.certState)) continue;
          const kubeconfig: LeftoverKubeconfig = {
            clusterId,
            clusterName,
            certState: s.certState,
            certExpireTime: s.certExpireTime,
            uid: s.uid,
          };
          const deleted = s.accountState === 'Deleted';
          // A known uid counts only for an identity the cluster itself reports deleted: the uids come from earlier
          // runs' records, which must never make the run revoke a live identity's kubeconfig.
          if (deleted && kubeconfig.uid && knownUids.includes(kubeconfig.uid)) leftovers.push(kubeconfig);
          else if (s.name === target.name) leftovers.push(kubeconfig);
          else if (deleted && !s.name && kubeconfig.uid) unattributed.push(kubeconfig);
        }
      }
      return { leftovers, unattributed };
    },
  };
}

/** The audit-log project a cluster's `meta_data` JSON names, if any. */
function auditProjectOf(metaData: string | undefined): string | undefined {
  if (!metaData) return undefined;
  try {
    const parsed = JSON.parse(metaData) as { AuditProjectName?: unknown };
    return typeof parsed.AuditProjectName === 'string' && parsed.AuditProjectName ? parsed.AuditProjectName : undefined;
  } catch {
    return undefined;
  }
}
