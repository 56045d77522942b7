import { isCancellation, patched, workflowInfo } from '@temporalio/workflow';
import { type SweepInput, type SweepReport } from '../common/sweep';
import { RunActivities } from './run/activities';
import { AuditOutbox } from './run/audit-outbox';
import { describeFailure } from './run/failures';
import { admitSweep, refuseOverlap } from './sweep/admission';
import { SweepBoard } from './sweep/board';
import { MAX_REVOCATIONS_PER_RUN, revokeOrphans } from './sweep/revoke-orphans';

/**
 * The orphan sweep, run by a Temporal Schedule (or on demand): kubeconfigs still valid, and RBAC grants still held,
 * by identities RAM no longer has — deleted by hand or by another tool — are found on every cluster, revoked and
 * verified. It revokes only what RAM confirms is gone (by uid, never by name), so no per-orphan approval is needed;
 * a dry run only reports. The report is the run's result and the last entry of its audit trail.
 */
export async function sweepOrphanedKubeconfigs(input: SweepInput): Promise<SweepReport> {
  const info = workflowInfo();
  const board = new SweepBoard(input.accountId);
  // The lanes that revoke orphans flush at once: one append at a time keeps their commands' order the same on replay.
  const outbox = new AuditOutbox(board, { oneAtATime: patched('audit-append-one-at-a-time') });
  const activities = new RunActivities(board, info.workflowId, outbox, false);
  const act = activities.call.bind(activities);
  const startedAt = new Date().toISOString();

  await admitSweep(input, board, outbox, act);
  await refuseOverlap(input.accountId, board, outbox, act);
  const dryRun =
    input.mode === 'dry-run' ||
    (input.mode === 'dry-run-first' && info.runStartTime.getTime() < Date.parse(input.revokeFrom ?? ''));
  board.progress.dryRun = dryRun;
  const scope = input.clusterIds ? `clusters ${input.clusterIds.join(', ')}` : 'every cluster';
  board.transition('Scanning', `Scanning ${scope} of account ${input.accountId}${dryRun ? ' (dry run)' : ''}`);

  const report: SweepReport = {
    kind: 'SweepReport',
    workflowId: info.workflowId,
    runId: info.runId,
    accountId: input.accountId,
    ...(input.scheduleId && { scheduleId: input.scheduleId }),
    dryRun,
    startedAt,
    finishedAt: startedAt,
    complete: false,
    clustersScanned: 0,
    clustersSkipped: [],
    identitiesSeen: 0,
    kubeconfigsSeen: 0,
    orphans: [],
    counts: { found: 0, revoked: 0, verified: 0, failed: 0 },
    stale: [],
    apiCalls: 0,
    outcome: '',
  };

  let scanError: string | undefined;
  try {
    const scan = await act('scanForOrphans', `Scan ${scope} for orphaned kubeconfigs`, {
      clusterIds: input.clusterIds,
      staleAfterDays: input.staleAfterDays,
    });
    const { clustersTotal, ...found } = scan;
    Object.assign(report, found);
    board.progress.clustersTotal = clustersTotal;
    board.progress.clustersScanned = scan.clustersScanned;
    board.progress.orphansFound = scan.orphans.length;
    board.audit(
      'scan',
      scan.clustersSkipped.length > 0 ? 'error' : 'ok',
      `${scan.clustersScanned} of ${clustersTotal} clusters read, ${scan.identitiesSeen} identities, ` +
        `${scan.orphans.length} orphans, ${scan.stale.length} stale` +
        scan.clustersSkipped.map((s) => `; skipped ${s.clusterId}: ${s.code}`).join(''),
    );
    if (!dryRun && scan.orphans.length > 0) {
      board.transition('Revoking', `Revoking ${scan.orphans.length} orphans`);
      const scanned = await scannedClusterIds(scan.clustersSkipped, input.clusterIds, act);
      await revokeOrphans(report.orphans, scan.clustersSkipped, scanned, board, act);
    }
  } catch (err) {
    if (isCancellation(err)) throw err;
    scanError = describeFailure(err).message;
    board.audit('scan', 'error', scanError);
  }

  report.finishedAt = new Date().toISOString();
  report.counts = {
    found: report.orphans.length,
    revoked: report.orphans.filter((o) => o.outcome === 'revoked').length,
    verified: report.orphans.filter((o) => o.verifiedAt !== undefined).length,
    failed: report.orphans.filter((o) => o.outcome === 'failed').length,
  };
  const leftFound = !dryRun && report.orphans.some((o) => o.outcome === 'found');
  report.complete = !scanError && report.clustersSkipped.length === 0 && report.counts.failed === 0 && !leftFound;
  report.outcome = outcomeOf(report, scanError, leftFound);
  board.audit('sweep report', report.complete ? 'ok' : 'error', JSON.stringify(summaryOf(report)));
  board.transition(report.complete ? 'Swept' : 'Incomplete', report.outcome);
  await outbox.flush(true);
  return report;
}

/** The clusters the scan read: listed ones (or the named ones) less those skipped. */
async function scannedClusterIds(
  skipped: SweepReport['clustersSkipped'],
  named: string[] | undefined,
  act: RunActivities['call'],
): Promise<string[]> {
  if (skipped.length === 0) return named ?? [];
  const all = named ?? (await act('listClusters', 'List the clusters the sweep read')).map((c) => c.clusterId);
  return all.filter((id) => !skipped.some((s) => s.clusterId === id));
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function outcomeOf(report: SweepReport, scanError: string | undefined, leftFound: boolean): string {
  if (scanError) return `incomplete: the scan failed (${scanError}); nothing was revoked`;
  const { found, revoked, failed } = report.counts;
  const parts = [
    `${plural(report.clustersScanned, 'cluster')} scanned`,
    `${report.identitiesSeen} identit${report.identitiesSeen === 1 ? 'y' : 'ies'} seen`,
    report.dryRun
      ? `${plural(found, 'orphan')} found (dry run: none revoked)`
      : `${plural(found, 'orphan')} found, ${revoked} revoked and verified`,
  ];
  if (failed > 0) parts.push(`${failed} not revoked`);
  if (leftFound) parts.push(`more than ${MAX_REVOCATIONS_PER_RUN} orphans: the rest are left for the next sweep`);
  if (report.clustersSkipped.length > 0) {
    parts.push(`skipped ${report.clustersSkipped.map((s) => `${s.clusterId} (${s.code})`).join(', ')}`);
  }
  if (report.stale.length > 0) parts.push(`${report.stale.length} stale`);
  return `${report.complete ? 'complete' : 'incomplete'}: ${parts.join(', ')}`;
}

/** The report as the audit sink keeps it: the findings by uid, not the stale list's commands. */
function summaryOf(report: SweepReport) {
  return {
    dryRun: report.dryRun,
    complete: report.complete,
    clustersScanned: report.clustersScanned,
    clustersSkipped: report.clustersSkipped,
    identitiesSeen: report.identitiesSeen,
    kubeconfigsSeen: report.kubeconfigsSeen,
    counts: report.counts,
    orphans: report.orphans.map((o) => ({
      uid: o.uid,
      type: o.type,
      name: o.name,
      outcome: o.outcome,
      clusters: o.kubeconfigs.map((k) => k.clusterId),
      grants: o.grants,
      ...(o.recycleBin && { deleteDate: o.recycleBin.deleteDate }),
      ...(o.failure && { failure: o.failure }),
    })),
    stale: report.stale.map((s) => ({ userName: s.userName, why: s.why })),
    apiCalls: report.apiCalls,
  };
}
