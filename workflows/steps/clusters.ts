import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType, formatInputProblems } from '../../common/errors';
import { type ClusterFacts } from '../../common/types';
import { type Run } from '../run/run';

/**
 * Named clusters are checked against the account's clusters before anything changes: a cluster that does not exist
 * is bad input (the run fails InvalidInput naming it), never a clean counted as done. Returns the account's clusters.
 */
export async function checkNamedClusters(
  run: Run,
  clusterIds: readonly string[] | undefined,
  listed?: readonly ClusterFacts[],
): Promise<readonly ClusterFacts[]> {
  const clusters =
    listed ?? (await run.step('listClusters', () => run.act('listClusters', 'List the clusters of the account')));
  const known = new Set(clusters.map((c) => c.clusterId));
  const missing = (clusterIds ?? []).filter((id) => !known.has(id));
  if (missing.length > 0) {
    const problems = missing.map((id) => ({ field: 'clusterIds', rule: `${id} does not exist in this account` }));
    throw ApplicationFailure.nonRetryable(`invalid input: ${formatInputProblems(problems)}`, FailureType.InvalidInput);
  }
  return clusters;
}

/** At most this many cluster ids in an outcome line; the rest are counted. */
const SHOWN = 10;

function listOf(ids: readonly string[]): string {
  return ids.length <= SHOWN ? ids.join(', ') : `${ids.slice(0, SHOWN).join(', ')} and ${ids.length - SHOWN} more`;
}

/**
 * What a revocation did, in the words of its outcome: the clusters revoked and verified, and — for a scoped one — the
 * clusters it left untouched, so a scoped revocation never reads as a revocation everywhere.
 */
export function revokedOn(
  named: readonly string[] | undefined,
  verified: readonly string[],
  listed: readonly ClusterFacts[] | undefined,
): string {
  if (!named) return `revoked and verified on all ${verified.length} clusters (${listOf(verified)})`;
  const untouched = (listed ?? []).map((c) => c.clusterId).filter((id) => !named.includes(id));
  return `revoked and verified on ${listOf(named)}; left untouched: ${untouched.length > 0 ? listOf(untouched) : 'none (no other cluster)'}`;
}
