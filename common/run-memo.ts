/**
 * What the start helper records with a run besides its signed input, as the run's Temporal memo. The memo is not
 * signed: a run uses it only where a forged value cannot make it do more than it should.
 */
export interface RunMemo {
  /**
   * The cluster scope of the request (null: every cluster). A later start for the same identity with another scope is
   * refused with this run's id instead of silently joining it.
   */
  clusterIds: string[] | null;
  /**
   * The uids earlier runs recorded for this identity (their `OffboardingUid` search attribute): when RAM no longer
   * knows the identity, its leftover kubeconfigs are matched by these, since clusters may list a deleted identity
   * without its name. Used only for identities the clusters themselves report deleted, so a forged uid can at most get
   * a deleted identity's kubeconfig revoked.
   */
  knownUids: string[];
}

const UID = /^\d{16,19}$/;

/** The memo of a run as it reads it; anything malformed counts as absent. */
export function readRunMemo(memo: Record<string, unknown> | undefined): RunMemo {
  const clusterIds = memo?.clusterIds;
  const knownUids = memo?.knownUids;
  return {
    clusterIds:
      Array.isArray(clusterIds) && clusterIds.every((c) => typeof c === 'string') ? (clusterIds as string[]) : null,
    knownUids: Array.isArray(knownUids)
      ? (knownUids.filter((u) => typeof u === 'string' && UID.test(u)) as string[])
      : [],
  };
}

/** Whether two requests name the same clusters (order aside; none = every cluster). */
export function sameClusterScope(
  a: readonly string[] | null | undefined,
  b: readonly string[] | null | undefined,
): boolean {
  if (!a || !b) return !a && !b;
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}
