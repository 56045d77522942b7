import * as $ram from '@alicloud/ram20150501';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { mapBounded } from '../common/map-bounded';
import { SearchAttributes } from '../common/search-attributes';
import {
  SWEEP_WORKFLOW,
  type OrphanFinding,
  type OrphanKubeconfig,
  type SkippedCluster,
  type StaleAccess,
  type SweepReport,
} from '../common/sweep';
import { identityRef } from '../common/validation';
import { type ClusterKubeconfig, type ListedCluster, VALID_CERT_STATES } from './cluster-reads';
import { type ActivityContext } from './deps';
import { holdingsReader } from './holdings';
import { ramDirectory } from './ram-directory';
import { type OffboardActivities } from './types';

/**
 * The sweep's reads (workflows/sweep-orphaned-kubeconfigs.ts): every cluster's kubeconfig listing, then RAM's whole
 * directory, then the grants of every identity found gone, and the stale-access checks of live users who hold
 * kubeconfigs. One activity, not one per cluster: the reads change nothing, so a retry after a dead worker simply
 * reads again, and the run's history holds the findings once instead of a listing per cluster (50 clusters × 2,000
 * identities is 100,000 rows; the findings are a few kilobytes). Clusters are read a few at a time.
 */

/** Clusters (and per-user checks) read at once: bounded, so a large account does not burst Alibaba's quotas. */
const READ_CONCURRENCY = 8;
const DEFAULT_STALE_AFTER_DAYS = 90;
const DAY_MS = 86_400_000;

export type SweepScan = Pick<
  SweepReport,
  'clustersScanned' | 'clustersSkipped' | 'identitiesSeen' | 'kubeconfigsSeen' | 'orphans' | 'stale' | 'apiCalls'
> & { clustersTotal: number };

interface SeenIdentity {
  type: 'user' | 'role';
  name?: string;
  deleted: boolean;
  kubeconfigs: (OrphanKubeconfig & { valid: boolean })[];
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // outside an activity (scripts, unit tests)
  }
}

export function sweepActivities(
  ctx: ActivityContext,
): Pick<OffboardActivities, 'scanForOrphans' | 'confirmGone' | 'openSweeps'> {
  const { deps, sdk, clusters, now } = ctx;
  const directory = ramDirectory(ctx);
  const holdings = holdingsReader(ctx);

  /** A failure as the report names it: Alibaba's code when there is one. */
  function skipped(cluster: ListedCluster, err: unknown): SkippedCluster {
    const failure = err instanceof ApplicationFailure ? err : undefined;
    const facts = failure?.details?.[0] as { code?: string } | undefined;
    return {
      clusterId: cluster.clusterId,
      ...(cluster.name && { clusterName: cluster.name }),
      code: facts?.code ?? failure?.type ?? FailureType.Unexpected,
      message: err instanceof Error ? err.message : String(err),
    };
  }

  async function staleness(
    userName: string,
    uid: string,
    clusterIds: string[],
    staleAfterDays: number,
    requestIds: string[],
  ): Promise<StaleAccess | undefined> {
    const { ram } = deps.clients;
    const user = await sdk.callOptional(
      'GetUser',
      () => ram.getUser(new $ram.GetUserRequest({ userName })),
      requestIds,
    );
    if (!user || user.body?.user?.userId !== uid) return undefined; // renamed or deleted since: next sweep
    const profile = await holdings.loginProfile(userName, requestIds);
    const activeKeys = (await holdings.accessKeys(userName, requestIds)).filter((k) => k.status === 'Active');
    const lastLoginDate = user.body?.user?.lastLoginDate || undefined;
    const startCommand = `offboard start --user ${userName} --reason departure`;
    const base = { userName, uid, clusterIds, startCommand, ...(lastLoginDate && { lastLoginDate }) };
    if (!profile && activeKeys.length === 0) return { ...base, why: 'disabled' };
    const since = Date.parse(lastLoginDate ?? user.body?.user?.createDate ?? '');
    const keyUsed = activeKeys.map((k) => Date.parse(k.lastUsedDate ?? ''));
    const lastUse = Math.max(Number.isNaN(since) ? 0 : since, ...keyUsed.filter((t) => !Number.isNaN(t)));
    if (lastUse > 0 && now().getTime() - lastUse > staleAfterDays * DAY_MS) return { ...base, why: 'unused' };
    return undefined;
  }

  return {
    async scanForOrphans({ clusterIds, staleAfterDays = DEFAULT_STALE_AFTER_DAYS }) {
      const requestIds: string[] = [];
      let failedCalls = 0;
      const listed = await clusters.clusters(requestIds);
      const wanted = clusterIds ? new Set(clusterIds) : undefined;
      const toScan = wanted ? listed.filter((c) => wanted.has(c.clusterId)) : listed;
      const unlisted: SkippedCluster[] = (clusterIds ?? [])
        .filter((id) => !listed.some((c) => c.clusterId === id))
        .map((id) => ({ clusterId: id, code: 'ClusterNotFound', message: `DescribeClustersV1 does not list ${id}` }));
      const clustersSkipped = [...unlisted];

      // 1. Every cluster's kubeconfigs, by uid. A cluster that cannot be read is reported and the others go on.
      const seen = new Map<string, SeenIdentity>();
      let kubeconfigsSeen = 0;
      let clustersScanned = 0;
      await mapBounded(toScan, READ_CONCURRENCY, async (cluster) => {
        let rows: ClusterKubeconfig[] | undefined;
        try {
          rows = await clusters.clusterKubeconfigs(cluster.clusterId, requestIds);
        } catch (err) {
          // Throttling, 5xx, timeouts: the activity is retried (Temporal's policy), reads change nothing. Only what a
          // retry cannot fix (access denied, not RBAC admin) skips the cluster, reported by name.
          if (!(err instanceof ApplicationFailure && err.nonRetryable)) throw err;
          failedCalls++;
          clustersSkipped.push(skipped(cluster, err));
          return;
        }
        if (!rows) {
          clustersSkipped.push({
            clusterId: cluster.clusterId,
            code: 'ClusterNotFound',
            message: `${cluster.clusterId} was listed, then ListClusterKubeconfigStates no longer found it`,
          });
          return;
        }
        clustersScanned++;
        for (const row of rows) {
          if (!row.uid || (row.accountType !== 'RamUser' && row.accountType !== 'RamRole')) continue;
          kubeconfigsSeen++;
          const entry = seen.get(row.uid) ?? {
            type: row.accountType === 'RamUser' ? 'user' : 'role',
            deleted: false,
            kubeconfigs: [],
          };
          entry.name ??= row.name;
          entry.deleted ||= row.accountState === 'Deleted';
          entry.kubeconfigs.push({
            clusterId: cluster.clusterId,
            certState: row.certState,
            valid: VALID_CERT_STATES.includes(row.certState),
            ...(row.certExpireTime && { expireTime: row.certExpireTime }),
          });
          seen.set(row.uid, entry);
        }
        heartbeat({ clustersScanned, clustersTotal: toScan.length });
      });

      // 2. RAM's directory, read after the listings: an identity deleted meanwhile is gone, which it is.
      const live = await directory.liveIdentities(requestIds);
      const recycled = await directory.recycledUsers(requestIds);

      // 3. Identities RAM no longer has (never by name): their valid kubeconfigs and their grants left.
      const orphans: OrphanFinding[] = [];
      const gone = [...seen].filter(([uid]) => !live.has(uid) && uid !== deps.accountId);
      await mapBounded(gone, READ_CONCURRENCY, async ([uid, identity]) => {
        const grants = await clusters.grants(uid, requestIds).catch((err: unknown) => {
          if (err instanceof ApplicationFailure && err.type === FailureType.NotFound) return [];
          throw err;
        });
        const kubeconfigs = identity.kubeconfigs.filter((k) => k.valid).map(({ valid: _valid, ...k }) => k);
        if (kubeconfigs.length === 0 && grants.length === 0) return;
        const bin = recycled.get(uid);
        const name = identity.name ?? bin?.name;
        orphans.push({
          uid,
          type: identity.type,
          ...(name && { name }),
          evidence: identity.deleted ? 'account_state Deleted' : 'uid not in RAM',
          ...(bin && { recycleBin: { recycleDate: bin.recycleDate, deleteDate: bin.deleteDate } }),
          kubeconfigs: kubeconfigs.sort((a, b) => a.clusterId.localeCompare(b.clusterId)),
          grants: grants.length,
          outcome: 'found',
        });
      });

      // 4. Stale access: live users holding a valid kubeconfig who cannot sign in any more, or have not for long.
      const stale: StaleAccess[] = [];
      const holders = [...seen].filter(([uid, identity]) => {
        const user = live.get(uid);
        return (
          user?.type === 'user' &&
          identityRef('user', user.name) !== deps.workerIdentity &&
          identity.kubeconfigs.some((k) => k.valid)
        );
      });
      await mapBounded(holders, READ_CONCURRENCY, async ([uid, identity]) => {
        const userName = live.get(uid)?.name ?? '';
        const clusterIdsHeld = identity.kubeconfigs.filter((k) => k.valid).map((k) => k.clusterId);
        // Advisory: a user whose checks fail is left out of this report, not a reason to fail the sweep.
        const found = await staleness(userName, uid, clusterIdsHeld.sort(), staleAfterDays, requestIds).catch(() => {
          failedCalls++;
          return undefined;
        });
        if (found) stale.push(found);
      });

      return {
        clustersTotal: toScan.length + unlisted.length,
        clustersScanned,
        clustersSkipped: clustersSkipped.sort((a, b) => a.clusterId.localeCompare(b.clusterId)),
        identitiesSeen: seen.size,
        kubeconfigsSeen,
        orphans: orphans.sort((a, b) => a.uid.localeCompare(b.uid)),
        stale: stale.sort((a, b) => a.userName.localeCompare(b.userName)),
        apiCalls: requestIds.length + failedCalls,
      };
    },

    async openSweeps({ accountId }) {
      const { client, info } = Context.current();
      const query =
        `WorkflowType = '${SWEEP_WORKFLOW}' AND ${SearchAttributes.account.name} = '${accountId}' ` +
        `AND ExecutionStatus = 'Running'`;
      const open: { workflowId: string; startTime: string }[] = [];
      for await (const run of client.workflow.list({ query, pageSize: 100 })) {
        if (run.workflowId === info.workflowExecution?.workflowId) continue;
        // Visibility lags: a sweep that just ended may still be listed as running. Its own description decides.
        const now = await client.workflow.getHandle(run.workflowId, run.runId).describe();
        if (now.status.name === 'RUNNING')
          open.push({ workflowId: run.workflowId, startTime: run.startTime.toISOString() });
        if (open.length >= 100) break;
      }
      return open;
    },

    async confirmGone({ uids }) {
      const requestIds: string[] = [];
      const live = await directory.liveIdentities(requestIds);
      return { gone: uids.filter((uid) => !live.has(uid)), requestIds };
    },
  };
}
