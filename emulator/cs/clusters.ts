import type { RoutedActionDef } from '../action';
import { pageOf, pagingParams, requireCluster } from './params';
import { auditProjectName, clusterDetail, clusterSummary } from './render';

/**
 * Clusters, read-only: the fixture decides which exist (and /__emulator/clusters/<id> flips their switches). Whether
 * API-server auditing is on shows the documented way in GetClusterAuditProject, and as real clusters show it in
 * DescribeClusterDetail's `meta_data.AuditProjectName` (seen in real answers, not documented as a field).
 */

export const clusterActions: RoutedActionDef[] = [
  {
    product: 'cs',
    name: 'DescribeClustersV1',
    need: 'cs-read',
    method: 'GET',
    path: '/api/v1/clusters',
    run(ctx, { query }) {
      const paging = pagingParams(query, { number: 'page_number', size: 'page_size' }, 100, 10);
      const matches = [...ctx.world.clusters.values()]
        .filter(
          (c) =>
            (!query.cluster_id || c.id === query.cluster_id) &&
            // The console's name filter is a substring match.
            (!query.name || c.name.includes(query.name)) &&
            (!query.cluster_type || c.clusterType === query.cluster_type) &&
            (!query.cluster_spec || c.clusterSpec === query.cluster_spec) &&
            (!query.profile || c.profile === query.profile) &&
            (!query.region_id || c.regionId === query.region_id),
        )
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      const { items, info } = pageOf(matches, paging);
      return { clusters: items.map(clusterSummary), page_info: info };
    },
  },
  {
    product: 'cs',
    name: 'DescribeClusterDetail',
    need: 'cs-read',
    method: 'GET',
    path: '/clusters/:ClusterId',
    run: (ctx, { path }) => clusterDetail(requireCluster(ctx.world, path.ClusterId)),
  },
  {
    product: 'cs',
    name: 'GetClusterAuditProject',
    need: 'cs-read',
    method: 'GET',
    path: '/clusters/:ClusterId/audit',
    run(ctx, { path }) {
      const c = requireCluster(ctx.world, path.ClusterId);
      return { audit_enabled: c.auditLog, sls_project_name: c.auditLog ? auditProjectName(c) : '' };
    },
  },
];
