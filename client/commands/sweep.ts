import { Option } from 'commander';
import { type OrphanFinding, type SweepProgress, type SweepReport } from '../../common/sweep';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { badInput, CliError, ExitCode } from '../errors';
import { checkClusters, clusterOption, flagOfField, positiveInt } from '../flags';
import { fields, formatTime, table } from '../output';

/**
 * `offboard sweep`: the orphan sweep. Without flags it triggers the account's schedule when there is one (its grant,
 * its mode), else starts a sweep now that revokes; `--dry-run` and `--cluster` always start one now. `--last` shows the
 * newest completed sweep's report (and the running sweep's progress); `--stale` lists the stale access it reported,
 * each with the ready `offboard start` command. Two sweeps of an account never overlap: the API refuses a second.
 */

export interface SweepFlags {
  dryRun?: boolean;
  revoke?: boolean;
  cluster?: string[];
  staleAfter?: number;
  last?: boolean;
  stale?: boolean;
  json?: boolean;
}

interface Started {
  workflowId: string;
  runId: string;
  mode: string;
}

interface RunningSweep {
  workflowId: string;
  scheduled: boolean;
  startTime?: string;
  progress?: SweepProgress;
  progressError?: string;
}

interface LastSweep {
  accountId: string;
  report: SweepReport | null;
  running: RunningSweep | null;
}

export const sweep: CommandModule<SweepFlags> = {
  description:
    'Find kubeconfigs and RBAC grants of identities RAM no longer has (deleted, or in its recycle bin) and revoke ' +
    'them (admin, security). Without flags: triggers the sweep schedule if the account has one (its mode applies), ' +
    'else sweeps now and revokes. --dry-run, --revoke, --cluster and --stale-after sweep now; --dry-run only ' +
    'reports. --last shows the last report.',
  options: [
    new Option('--dry-run', 'sweep now, and only report what would be revoked'),
    new Option('--revoke', "sweep now and revoke, whatever the schedule's mode").conflicts('dryRun'),
    clusterOption(),
    new Option(
      '--stale-after <days>',
      'report live users not seen for this many days as stale access (default 90)',
    ).argParser(positiveInt),
    new Option('--last', "the newest completed sweep's report, and the running sweep's progress").conflicts([
      'dryRun',
      'revoke',
      'cluster',
      'staleAfter',
    ]),
    new Option('--stale', 'with --last: the stale access it found, each with its offboard start command'),
  ],
  action: (ctx, flags) => (flags.last ? showLast(ctx, flags) : sweepNow(ctx, flags)),
};

/** A refusal because another sweep runs: the API names it; the hint says how to follow it (not `offboard status`). */
function sweepRunningHint(err: unknown): never {
  if (err instanceof CliError && err.type === 'SweepRunning') {
    throw new CliError(err.exitCode, err.message, err.type, 'Follow it: offboard sweep --last (its progress)');
  }
  throw err;
}

async function sweepNow(ctx: Ctx, flags: SweepFlags): Promise<ExitCode> {
  if (flags.stale) throw badInput('--stale: only with --last');
  const clusterIds = checkClusters(flags.cluster);
  if (flags.staleAfter !== undefined && flags.staleAfter > 3650) {
    throw badInput('--stale-after: must be a whole number of days from 1 to 3650');
  }
  const api = ctx.api();
  const onDemand = flags.dryRun || flags.revoke || clusterIds || flags.staleAfter !== undefined;
  try {
    if (!onDemand) {
      const triggered = await triggerSchedule(ctx);
      if (triggered) return ExitCode.Ok;
    }
    const body = { mode: flags.dryRun ? 'dry-run' : 'revoke', clusterIds, staleAfterDays: flags.staleAfter };
    const run = await api.post<Started>('/v1/sweeps', body, {
      flagOf: (field) => (field.includes('staleAfterDays') ? '--stale-after' : flagOfField(field, {})),
    });
    const what = run.mode === 'dry-run' ? 'a dry run (reports only)' : 'revokes every orphan it finds';
    ctx.out.result(
      { started: 'on-demand', ...run },
      [
        `Started a sweep now: ${what}${clusterIds ? `, clusters ${clusterIds.join(', ')}` : ', every cluster'}.`,
        fields([
          ['Run', run.workflowId],
          ['Follow', 'offboard sweep --last'],
        ]),
      ].join('\n'),
    );
    return ExitCode.Ok;
  } catch (err) {
    return sweepRunningHint(err);
  }
}

/** Triggers the schedule when the account has one and the person may (admin); false: sweep on demand instead. */
async function triggerSchedule(ctx: Ctx): Promise<boolean> {
  const api = ctx.api();
  let schedule: { scheduleId: string; mode: string };
  try {
    schedule = await api.get('/v1/sweeps/schedule');
  } catch (err) {
    if (err instanceof CliError && err.exitCode === ExitCode.NotFound) return false;
    throw err;
  }
  try {
    const t = await api.post<{ scheduleId: string; workflowId?: string }>('/v1/sweeps/schedule/trigger', {});
    ctx.out.result(
      { started: 'schedule', ...t, mode: schedule.mode },
      [
        `Triggered the sweep schedule ${t.scheduleId} (mode ${schedule.mode}, the schedule's grant).`,
        fields([
          ['Run', t.workflowId ?? '(the schedule starts it in a moment)'],
          ['Follow', 'offboard sweep --last'],
        ]),
      ].join('\n'),
    );
    return true;
  } catch (err) {
    // Only an admin triggers the schedule; security sweeps on demand instead, and is told so.
    if (err instanceof CliError && err.type === 'Forbidden') {
      ctx.out.progress('The account has a sweep schedule, which only an admin triggers: sweeping now on demand.');
      return false;
    }
    throw err;
  }
}

async function showLast(ctx: Ctx, flags: SweepFlags): Promise<ExitCode> {
  const last = await ctx.api().get<LastSweep>('/v1/sweeps/last');
  const now = ctx.io.now();
  const running = last.running ? renderRunning(last.running, now) : undefined;
  if (!last.report) {
    throw new CliError(
      ExitCode.NotFound,
      `no sweep of account ${last.accountId} has completed yet`,
      'NotFound',
      running ?? 'Start one: offboard sweep --dry-run',
    );
  }
  const human = flags.stale ? renderStale(last.report) : renderReport(last.report, now);
  ctx.out.result(
    flags.stale ? { ...last, stale: last.report.stale } : last,
    running ? `${human}\n\n${running}` : human,
  );
  return ExitCode.Ok;
}

function renderRunning(r: RunningSweep, now: Date): string {
  const p = r.progress;
  return [
    `Running now: ${r.workflowId} (${r.scheduled ? 'scheduled' : 'on demand'}${r.startTime ? `, started ${formatTime(r.startTime, now)}` : ''})`,
    p
      ? `  ${p.stage}${p.dryRun ? ' (dry run)' : ''}: ${p.clustersScanned}${p.clustersTotal !== undefined ? `/${p.clustersTotal}` : ''} clusters scanned, ${p.orphansFound} orphans found, ${p.revoked} revoked, ${p.failed} failed — ${p.details}`
      : `  (its progress is unavailable: ${r.progressError ?? 'no worker answered'})`,
  ].join('\n');
}

/** The date of an ISO time: what a recycle-bin entry needs (RAM purges by the day). */
const day = (iso: string) => iso.slice(0, 10);

const nameOf = (o: { name?: string }) => o.name ?? '(nameless)';

function outcomeOf(o: OrphanFinding): string {
  if (o.outcome === 'revoked') return o.verifiedAt ? `revoked, verified ${o.verifiedAt}` : 'revoked (not verified)';
  if (o.outcome === 'failed')
    return `FAILED${o.failure?.code ? ` ${o.failure.code}` : ''}: ${o.failure?.message ?? ''}`;
  return 'found (not revoked)';
}

export function renderReport(r: SweepReport, now: Date): string {
  const c = r.counts;
  const lines = [
    `Sweep ${r.workflowId}${r.scheduleId ? ` (schedule ${r.scheduleId})` : ' (on demand)'}${r.dryRun ? ' — DRY RUN: nothing was revoked' : ''}`,
    fields([
      ['Finished', `${formatTime(r.finishedAt, now)}`],
      ['Result', r.complete ? 'complete' : 'INCOMPLETE: a cluster was skipped or an orphan was not revoked'],
      ['Outcome', r.outcome],
      ['Clusters', `${r.clustersScanned} scanned, ${r.clustersSkipped.length} skipped`],
      ['Identities seen', `${r.identitiesSeen} (${r.kubeconfigsSeen} kubeconfigs)`],
      ['Orphans', `${c.found} found, ${c.revoked} revoked, ${c.verified} verified, ${c.failed} failed`],
      ['Stale access', r.stale.length ? `${r.stale.length} (offboard sweep --last --stale)` : 'none'],
      ['API calls', String(r.apiCalls)],
    ]),
  ];
  if (r.clustersSkipped.length) {
    lines.push(
      '',
      'Skipped clusters:',
      table(
        ['cluster', 'name', 'code', 'message'],
        r.clustersSkipped.map((s) => [s.clusterId, s.clusterName, s.code, s.message]),
      ),
    );
  }
  if (r.orphans.length) {
    lines.push(
      '',
      'Orphans:',
      table(
        ['uid', 'name', 'type', 'why gone', 'kubeconfigs', 'grants', 'recycle bin', 'outcome'],
        r.orphans.map((o) => [
          o.uid,
          nameOf(o),
          o.type,
          o.evidence,
          o.kubeconfigs.map((k) => k.clusterId).join(', '),
          o.grants,
          o.recycleBin ? `in bin ${day(o.recycleBin.recycleDate)}\npurged ${day(o.recycleBin.deleteDate)}` : '',
          outcomeOf(o),
        ]),
      ),
    );
    if (r.dryRun && c.found > 0) lines.push('', 'Revoke them: offboard sweep --revoke');
  } else {
    lines.push('', 'No orphaned kubeconfig or grant.');
  }
  return lines.join('\n');
}

export function renderStale(r: SweepReport): string {
  if (!r.stale.length) return `The sweep ${r.workflowId} found no stale access.`;
  return [
    `Stale access found by ${r.workflowId}: live users whose kubeconfigs still work (nothing was changed).`,
    table(
      ['user', 'uid', 'why', 'last login', 'clusters'],
      r.stale.map((s) => [s.userName, s.uid, s.why, s.lastLoginDate ?? 'never', s.clusterIds.join(', ')]),
    ),
    '',
    'To offboard one:',
    ...r.stale.map((s) => `  ${s.startCommand}`),
  ].join('\n');
}
