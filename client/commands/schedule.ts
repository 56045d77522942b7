import { Option } from 'commander';
import type { SweepMode } from '../../common/sweep';
// The API's own view of the schedule: the server is the contract.
import type { SweepScheduleView } from '../../server/temporal/sweep-schedule';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import { checkText } from '../flags';
import { fields, formatTime, table } from '../output';

/**
 * `offboard schedule sweep`: the account's sweep schedule (a Temporal Schedule). `--every` creates or updates it
 * (admin: your grant, which every scheduled run carries, is signed afresh, so an update is also the renewal);
 * `--pause [--note]` and `--unpause` (admin, the note names you); no flag describes it.
 */

export interface ScheduleFlags {
  what?: string;
  every?: string;
  mode?: string;
  pause?: boolean;
  unpause?: boolean;
  note?: string;
}

/**
 * The modes (common/sweep.ts SweepModes), typed against it: importing the value would load the Temporal workflow
 * package into the CLI (common/sweep.ts defines the progress query).
 */
const modes = ['dry-run-first', 'dry-run', 'revoke'] as const satisfies readonly SweepMode[];

/** A grant that ends within this many days is shown with the command that renews it. */
const RENEW_WITHIN_DAYS = 14;

export const schedule: CommandModule<ScheduleFlags> = {
  description:
    "The account's sweep schedule. --every creates or updates it (admin; a new schedule's first run only reports, " +
    'unless --mode says otherwise); your signed grant is what its runs carry, and an update renews it. --pause and ' +
    '--unpause (admin) take a --note; the schedule records who. Without a flag: when it runs next, whether it is ' +
    'paused and why, whose grant it carries and until when, and its last runs.',
  options: [
    new Option('--every <duration>', 'create or update: run every this long (at least 1h), e.g. 24h, 7d').conflicts([
      'pause',
      'unpause',
    ]),
    new Option('--mode <mode>', "with --every: dry-run, revoke, or dry-run-first (a new schedule's default)").choices(
      modes,
    ),
    new Option('--pause', 'pause the schedule (running sweeps go on)').conflicts('unpause'),
    new Option('--unpause', 'unpause the schedule'),
    new Option('--note <text>', 'with --pause or --unpause: why, recorded with your name'),
  ],
  action: scheduleSweep,
};

async function scheduleSweep(ctx: Ctx, flags: ScheduleFlags): Promise<ExitCode> {
  if (flags.what !== 'sweep') {
    throw badInput(`${JSON.stringify(flags.what ?? '')}: only the sweep has a schedule (offboard schedule sweep)`);
  }
  if (flags.mode !== undefined && flags.every === undefined) throw badInput('--mode: only with --every');
  if (flags.note !== undefined && !flags.pause && !flags.unpause)
    throw badInput('--note: only with --pause or --unpause');
  const note = checkText('--note', flags.note, false);
  const api = ctx.api();
  const flagOf = (field: string) => `--${field.replace(/^body\./, '')}`;
  let view: SweepScheduleView;
  let headline: string;
  if (flags.every !== undefined) {
    view = await api.call<SweepScheduleView & { created: boolean }>('PUT', '/v1/sweeps/schedule', {
      body: { every: flags.every, mode: flags.mode },
      flagOf,
    });
    headline = (view as { created?: boolean }).created
      ? `Created the sweep schedule, with your grant.`
      : `Updated the sweep schedule; your grant replaces the one it carried.`;
  } else if (flags.pause || flags.unpause) {
    view = await api.post<SweepScheduleView>(
      `/v1/sweeps/schedule/${flags.pause ? 'pause' : 'unpause'}`,
      { note },
      {
        flagOf,
      },
    );
    headline = flags.pause ? 'Paused the sweep schedule (a running sweep goes on).' : 'Unpaused the sweep schedule.';
  } else {
    view = await api.get<SweepScheduleView>('/v1/sweeps/schedule');
    headline = `The sweep schedule ${view.scheduleId}:`;
  }
  ctx.out.result(view, `${headline}\n${renderSchedule(view, ctx.io.now())}`);
  return ExitCode.Ok;
}

export function renderSchedule(v: SweepScheduleView, now: Date): string {
  const g = v.grant;
  const daysLeft = g ? (Date.parse(g.expiresAt) - now.getTime()) / 86_400_000 : 0;
  const renew = `renew it: ${v.renewCommand}`;
  const grant = !g
    ? `MISSING: the schedule's runs refuse to start; ${renew}`
    : `signed by ${g.signedByName} (${g.signedBy}), ${g.expired ? 'EXPIRED' : 'valid until'} ${formatTime(g.expiresAt, now)}` +
      (g.expired || daysLeft < RENEW_WITHIN_DAYS ? `; ${renew}` : '');
  const lines = [
    fields([
      ['Every', v.every],
      ['Mode', v.mode],
      ['State', v.paused ? 'PAUSED' : 'active'],
      ['Note', v.note],
      [
        'Next runs',
        v.paused
          ? '(paused)'
          : v.nextRunTimes
              .slice(0, 3)
              .map((t) => formatTime(t, now))
              .join('; '),
      ],
      ['Grant', grant],
      ['Running', v.running.join(', ') || 'none'],
      ['Skipped (overlap)', String(v.skippedOverlap)],
      ['Task queue', v.taskQueue],
    ]),
  ];
  if (v.recentRuns.length) {
    lines.push(
      '',
      'Last runs (newest first):',
      table(
        ['run', 'started', 'execution'],
        v.recentRuns.map((r) => [r.workflowId, formatTime(r.takenAt, now), r.execution?.toLowerCase() ?? '']),
      ),
    );
  }
  lines.push('', "Its runs in the Temporal UI: OffboardingReason='sweep'. The last report: offboard sweep --last");
  return lines.join('\n');
}
