import { Option } from 'commander';
// The API's own views: the server is the contract (type-only: the CLI loads no Temporal package).
import type { FailsafeConfirmResult, FailsafeView } from '../../server/temporal/failsafe';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import { checkText } from '../flags';
import { fields, formatTime, table } from '../output';

/**
 * `offboard failsafe status` (anyone who may read): the account's blast-radius failsafe — deletions in the window,
 * the limit, whether deletions are paused, and the runs it holds. `offboard failsafe confirm --reason …` (a second
 * admin): each paused run gets its own signed confirmation and checks it (not its approver, not its requester), then
 * the failsafe starts a new window.
 */

export interface FailsafeFlags {
  what?: string;
  reason?: string;
}

export const failsafe: CommandModule<FailsafeFlags> = {
  description:
    "The account's blast-radius failsafe: past N deletions in its window (OFFBOARD_DELETION_FAILSAFE, default 20/1h) " +
    "further deletions pause in DeletionPaused until a second admin confirms. 'status' shows it; 'confirm --reason' " +
    'confirms every paused run (each refuses you if you approved or requested it) and starts a new window.',
  options: [new Option('--reason <text>', 'with confirm: why these deletions may go on (recorded in each run)')],
  action: failsafeCommand,
};

async function failsafeCommand(ctx: Ctx, flags: FailsafeFlags): Promise<ExitCode> {
  const api = ctx.api();
  if (flags.what === 'status') {
    if (flags.reason !== undefined) throw badInput('--reason: only with confirm');
    const view = await api.get<FailsafeView>('/v1/failsafe');
    ctx.out.result(view, renderStatus(view, ctx.io.now()));
    return ExitCode.Ok;
  }
  if (flags.what !== 'confirm') {
    throw badInput(`${JSON.stringify(flags.what ?? '')}: must be status or confirm (offboard failsafe status)`);
  }
  const reason = checkText('--reason', flags.reason, true);
  const answer = await api.post<FailsafeConfirmResult>(
    '/v1/failsafe/confirm',
    { reason },
    { flagOf: (field) => `--${field}` },
  );
  const { confirmed, refused, notPaused } = answer.summary;
  const human = [
    answer.runs.length
      ? table(
          ['Run', 'Result', 'Why'],
          answer.runs.map((r) => [
            r.workflowId,
            r.status === 'notPaused' ? 'not paused' : r.status,
            r.refusal ? `${r.refusal}: ${r.reason}` : r.reason,
          ]),
        )
      : 'No run is paused.',
    `${confirmed} confirmed, ${refused} refused you, ${notPaused} no longer paused.`,
    answer.governor.confirmed
      ? `The failsafe starts a new window (it released ${answer.governor.released} held run(s)).`
      : `The failsafe stays as it was: ${answer.governor.reason}.`,
  ].join('\n');
  ctx.out.result(answer, human);
  return refused > 0 ? ExitCode.Refused : ExitCode.Ok;
}

function renderStatus(v: FailsafeView, now: Date): string {
  const g = v.governor;
  const lines = [
    fields([
      ['Account', v.accountId],
      [
        'Deletions',
        g
          ? `${g.count} of ${g.limit} in the last ${g.window}`
          : 'none counted yet (the failsafe starts with the first)',
      ],
      ['State', g?.paused ? `PAUSED since ${formatTime(g.pausedSince ?? '', now)}` : 'open'],
      [
        'Last confirmation',
        g?.lastConfirmation
          ? `${g.lastConfirmation.byName} (${g.lastConfirmation.by}) ${formatTime(g.lastConfirmation.at, now)}: ${g.lastConfirmation.reason}`
          : undefined,
      ],
    ]),
  ];
  if (v.paused.length) {
    lines.push(
      '',
      'Paused runs:',
      table(
        ['run', 'identity'],
        v.paused.map((r) => [r.workflowId, r.target ?? '']),
      ),
    );
    lines.push('', 'A second admin (not their approver or requester): offboard failsafe confirm --reason TEXT');
  }
  return lines.join('\n');
}
