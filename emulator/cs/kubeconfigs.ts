import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { RoutedActionDef } from '../action';
import { ApiError } from '../api-error';
import { identitiesById } from '../state/identities';
import {
  effectiveCertState,
  KUBECONFIG_VALIDITY_MS,
  kubeconfigsOf,
  newSerial,
  reportedCertState,
  revokeKubeconfig,
} from '../state/kubeconfigs';
import { iso } from '../time';
import { hasClusterGrant } from './grants';
import { kubeconfigYaml } from './kubeconfig-yaml';
import { boolParam, intParam, pageOf, pagingParams, requireCluster, requireKnownUid } from './params';
import { clusterKubeconfigRow, userKubeconfigRow } from './render';

/** Kubeconfigs: issue one to the caller, revoke the caller's own, and list their states per identity or cluster. */

export const kubeconfigActions: RoutedActionDef[] = [
  {
    product: 'cs',
    name: 'RevokeK8sClusterKubeConfig',
    need: 'self',
    method: 'DELETE',
    path: '/k8s/:ClusterId/certs',
    run(ctx, { path }) {
      const cluster = requireCluster(ctx.world, path.ClusterId);
      // Acts on the caller's own kubeconfig only; RBAC grants stay, so a fresh kubeconfig can be fetched again.
      revokeKubeconfig(ctx.world.kubeconfigs.get(ctx.caller.uid)?.get(cluster.id), ctx.now);
      return {};
    },
  },
  {
    product: 'cs',
    name: 'ListUserKubeConfigStates',
    need: 'cs-full',
    method: 'GET',
    path: '/users/:Uid/kubeconfig/states',
    run(ctx, { path, query }) {
      const { world } = ctx;
      const paging = pagingParams(query, { number: 'page_number', size: 'page_size' }, 100, 50);
      const who = requireKnownUid(world, path.Uid);
      const records = world.kubeconfigs.get(who.uid);
      const clusters = [...world.clusters.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      const { items, info } = pageOf(clusters, paging);
      const { total_count: _omitted, ...withoutTotal } = info;
      return {
        page: world.options.omitKubeconfigStatesTotalCount ? withoutTotal : info,
        states: items.map((c) => {
          const rec = records?.get(c.id);
          return userKubeconfigRow(c, rec, reportedCertState(c, rec, ctx.now));
        }),
      };
    },
  },
  {
    product: 'cs',
    name: 'ListClusterKubeconfigStates',
    need: 'cs-full+ram-read',
    method: 'GET',
    path: '/clusters/:ClusterId/kubeconfig/states',
    run(ctx, { path, query }) {
      const { world } = ctx;
      const paging = pagingParams(query, { number: 'pageNumber', size: 'pageSize' }, 50, 10);
      const cloudService = boolParam(query, 'cloudServiceKubeConfig') ?? false;
      const cluster = requireCluster(world, path.ClusterId);
      if (cluster.kubeconfigStatesDenied) {
        throw new ApiError(E.csForbidden, 403, `You are not authorized to access cluster ${cluster.id}.`);
      }
      const rows: Record<string, unknown>[] = [];
      // The fixture has no cloud-service roles, so that listing is empty.
      if (!cloudService) {
        const identities = identitiesById(world);
        for (const [uid, records] of world.kubeconfigs) {
          const rec = records.get(cluster.id);
          const state = reportedCertState(cluster, rec, ctx.now);
          if (!rec || (state !== 'Unexpired' && state !== 'Expired' && state !== 'Unknown')) continue;
          const who = identities.get(uid);
          const deleted = !who || who.kind === 'deleted';
          // Namelessness: all deleted identities under the switch, or one the fixture marks (RAM forgot its name).
          const nameless =
            (world.options.namelessDeletedIdentities && deleted) ||
            (who?.kind === 'deleted' && who.deleted.nameless === true);
          rows.push(clusterKubeconfigRow(uid, who, rec, state, nameless));
        }
        rows.sort((a, b) => (String(a.account_id) < String(b.account_id) ? -1 : 1));
      }
      const { items, info } = pageOf(rows, paging);
      return { page: info, states: items };
    },
  },
  {
    product: 'cs',
    name: 'DescribeClusterUserKubeconfig',
    need: 'cs-read',
    method: 'GET',
    path: '/k8s/:ClusterId/user_config',
    run(ctx, { path, query }) {
      const { world, caller, now } = ctx;
      const privateIp = boolParam(query, 'PrivateIpAddress') ?? false;
      const minutes = query.TemporaryDurationMinutes
        ? intParam(query, 'TemporaryDurationMinutes', 15, 4320, 60)
        : undefined;
      const cluster = requireCluster(world, path.ClusterId);
      // A kubeconfig is issued only to an identity granted RBAC permissions on the cluster (the account always is).
      if (caller.kind !== 'root' && !hasClusterGrant(world, caller.uid, cluster.id)) {
        throw new ApiError(E.csForbidden, 403, `${caller.identity} has no RBAC permissions on cluster ${cluster.id}.`);
      }
      const records = kubeconfigsOf(world, caller.uid);
      let rec = records.get(cluster.id);
      const expires = minutes !== undefined ? now + minutes * 60_000 : now + KUBECONFIG_VALIDITY_MS;
      if (effectiveCertState(rec, now) !== 'Unexpired') {
        rec = {
          cluster: cluster.id,
          state: 'Unexpired',
          issued: now,
          expires,
          serial: newSerial(),
          ...(rec?.lastAccess !== undefined && { lastAccess: rec.lastAccess }),
        };
        records.set(cluster.id, rec);
      }
      const shown = minutes !== undefined ? expires : rec!.expires!;
      return {
        config: kubeconfigYaml(
          cluster,
          caller.uid,
          minutes !== undefined ? newSerial() : rec!.serial,
          privateIp,
          shown,
        ),
        expiration: iso(shown),
      };
    },
  },
];
