import { isCancellation } from '@temporalio/workflow';
import { type OrphanFinding, type SkippedCluster } from '../../common/sweep';
import { type RunActivities } from '../run/activities';
import { describeFailure } from '../run/failures';
import { type SweepBoard } from './board';

/**
 * Revokes the orphans a scan found, through the activities `revokeKubeconfig` uses (clean, follow the clean task,
 * verify by a fresh read): Force, since nobody can use a deleted identity and Alibaba's 7-day check protects nothing.
 *
 * Fan-out: activities in the sweep itself, a few orphans at a time, not a child workflow each. An orphan costs three
 * activities (about ten events); a child would add its own history and three more events in the sweep, and a child
 * that blocks for a human would hold the sweep open. A failure is the orphan's outcome, with Alibaba's code, and the
 * next sweep tries again. At most MAX_REVOCATIONS_PER_RUN per run keep the history bounded (about 6,000 events);
 * the rest stay `found` and the report says the sweep is incomplete.
 */
export const REVOKE_CONCURRENCY = 8;
export const MAX_REVOCATIONS_PER_RUN = 500;

export async function revokeOrphans(
  orphans: OrphanFinding[],
  skipped: readonly SkippedCluster[],
  scannedClusterIds: readonly string[],
  board: SweepBoard,
  act: RunActivities['call'],
): Promise<void> {
  const batch = orphans.slice(0, MAX_REVOCATIONS_PER_RUN);
  // Right before revoking, RAM is asked again: an identity restored meanwhile (an undo) is live, and left alone.
  const { gone, requestIds } = await act('confirmGone', `Confirm ${batch.length} identities are still gone from RAM`, {
    uids: batch.map((o) => o.uid),
  });
  board.audit('confirm gone', 'ok', `${gone.length} of ${batch.length} still gone from RAM`, { requestIds });
  const stillGone = new Set(gone);
  // With a cluster skipped, verification covers the clusters the sweep could read (the report is incomplete anyway).
  const verifyClusterIds = skipped.length > 0 ? [...scannedClusterIds] : undefined;

  let next = 0;
  const lane = async () => {
    while (next < batch.length) {
      const orphan = batch[next++];
      if (!stillGone.has(orphan.uid)) {
        fail(orphan, 'IdentityLive', `RAM has uid ${orphan.uid} again (restored since the scan?): not revoked`);
      } else {
        await revokeOne(orphan, verifyClusterIds, board, act);
      }
      board.progress[orphan.outcome === 'revoked' ? 'revoked' : 'failed']++;
      board.setDetails(
        `Revoking: ${board.progress.revoked} revoked, ${board.progress.failed} failed of ${batch.length}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(REVOKE_CONCURRENCY, batch.length) }, lane));
}

function refOf(orphan: OrphanFinding): string {
  return `${orphan.type} uid ${orphan.uid}${orphan.name ? ` (${orphan.name})` : ' (nameless)'}`;
}

function fail(orphan: OrphanFinding, code: string | undefined, message: string): void {
  orphan.outcome = 'failed';
  orphan.failure = { ...(code && { code }), message };
}

async function revokeOne(
  orphan: OrphanFinding,
  verifyClusterIds: string[] | undefined,
  board: SweepBoard,
  act: RunActivities['call'],
): Promise<void> {
  const ref = refOf(orphan);
  const { uid } = orphan;
  // The name is only for the worker's own-identity guard; the clean and the proof go by uid.
  const target = { type: orphan.type, name: orphan.name ?? `uid-${uid}` };
  try {
    const clean = await act('cleanPermissions', `Clean kubeconfigs+RBAC of orphan ${ref} (Force)`, {
      uid,
      target,
      force: true,
    });
    board.audit('CleanUserPermissions', 'ok', `force=true task=${clean.taskId ?? '-'}`, {
      target: ref,
      requestIds: clean.requestIds,
    });
    if (clean.taskId) await act('awaitCleanTask', `Follow clean task ${clean.taskId}`, { taskId: clean.taskId });
    const verified = await act('verifyRevocation', `Verify revocation of orphan ${ref}`, {
      uid,
      clusterIds: verifyClusterIds,
      taskId: clean.taskId,
    });
    orphan.outcome = 'revoked';
    orphan.verifiedAt = verified.verifiedAt;
    board.audit(
      'verify revocation',
      'ok',
      verified.kubeconfigs.map((k) => `${k.clusterId}=${k.certState}`).join(', ') || 'no kubeconfig records',
      { target: ref, requestIds: verified.requestIds },
    );
  } catch (err) {
    if (isCancellation(err)) throw err;
    const f = describeFailure(err);
    fail(orphan, f.code ?? f.type, f.message);
    board.audit('revoke orphan', 'error', `${f.code ?? f.type}: ${f.message}`, { target: ref });
  }
}
