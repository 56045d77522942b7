import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { CallContext } from '../action';
import { ApiError } from '../api-error';
import type { ResolvedIdentity } from '../state/identities';
import type { ClusterState } from '../state/world';
import { DAY_MS, iso } from '../time';

/**
 * The three refusals the docs give for both Clean operations: the root account, the caller itself, and — without
 * Force — access records in the last 7 days, or none that can be retrieved (a cluster with API-server auditing off).
 * The docs state the rules but not the codes, so every code here is SYNTHETIC; the last refusal comes in the form the
 * world's `cleanRefusal` option picks, so a client can be tested against both.
 */

const RECENT_ACCESS_WINDOW_MS = 7 * DAY_MS;

export function checkCleanAllowed(
  ctx: CallContext,
  who: ResolvedIdentity,
  clusters: ClusterState[],
  force: boolean,
): void {
  // 400 like other ACK business-rule refusals.
  if (who.kind === 'root') {
    throw new ApiError(
      E.cleanRootNotSupported,
      400,
      'Cleaning the permissions of the Alibaba Cloud account is not supported.',
    );
  }
  if (who.uid === ctx.caller.uid) {
    throw new ApiError(
      E.cleanSelfNotSupported,
      400,
      'Cleaning the permissions of the calling identity is not supported.',
    );
  }
  if (force) return;
  const records = ctx.world.kubeconfigs.get(who.uid);
  for (const cluster of clusters) {
    // "If access records exist or cannot be retrieved, deletion is refused": no audit logs means cannot retrieve.
    if (!cluster.auditLog) throw refusal(ctx, { cluster, uid: who.uid });
    const last = records?.get(cluster.id)?.lastAccess;
    if (last !== undefined && ctx.now - last < RECENT_ACCESS_WINDOW_MS) {
      throw refusal(ctx, { cluster, uid: who.uid, lastAccess: last });
    }
  }
}

/** The refusal of a clean without Force, in the configured form; no `lastAccess` means auditing is off. */
function refusal(ctx: CallContext, r: { cluster: ClusterState; uid: string; lastAccess?: number }): ApiError {
  const { cluster, uid, lastAccess } = r;
  if (ctx.world.options.cleanRefusal === 'operation-denied') {
    return new ApiError(
      E.cleanOperationDenied,
      403,
      lastAccess === undefined
        ? `Operation denied: API server auditing is disabled on cluster ${cluster.id}, so there are no audit logs to ` +
            'rule out recent access. Retry with force to delete the kubeconfig anyway.'
        : `Operation denied: the audit logs of cluster ${cluster.id} show access by ${uid} within the last 7 days. ` +
            'Retry with force to delete the kubeconfig anyway.',
    );
  }
  return new ApiError(
    E.recentClusterAccess,
    400,
    lastAccess === undefined
      ? `Cannot check the access records of cluster ${cluster.id}: API server auditing is disabled, so there are no ` +
          'audit logs to check; set Force=true to clean anyway.'
      : `${uid} accessed cluster ${cluster.id} within the last 7 days (last access ${iso(lastAccess)}); ` +
          'set Force=true to clean anyway.',
  );
}
