import { Option } from 'commander';
import { batchIdRule, isValidBatchId } from '../../common/batch';
import type { MessageAccepted } from '../../common/messages';
import { runPath } from '../api';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import { checkText, flagOfField, type RunFlags } from '../flags';
import { fields } from '../output';
import { resolveRun } from '../runs';
import { personOf } from '../session';

/**
 * The decisions people send to a run, as the signed-in person: the API checks their role (403 names the one that is
 * missing), signs the decision for them and sends it to the run, whose own checks answer at once — accepted, or
 * refused with the run's reason (exit 4, nothing changed). The CLI checks the flags first and never guesses for the
 * run.
 */

/** Each decision: the API's route under the run, and the run's name for it. */
const decisions = {
  approve: 'approveDeletion',
  reject: 'rejectDeletion',
  resolve: 'resolveDependencies',
  rescind: 'rescind',
  retry: 'retry',
  abort: 'abort',
  // On an undo run (client/commands/undo.ts)
  'approve-undo': 'approveUndo',
  'reject-undo': 'rejectUndo',
} as const;
export type Decision = keyof typeof decisions;

/** Sends one decision to the run that the flags name (found by `resolve`), once the flags are checked. */
export async function decide(
  ctx: Ctx,
  flags: RunFlags,
  decision: Decision,
  body: object,
  resolve: typeof resolveRun = resolveRun,
): Promise<ExitCode> {
  const run = await resolve(() => ctx.api(), flags);
  const api = ctx.api();
  const accepted = await api.post<MessageAccepted>(runPath(run.workflowId, decision), body, {
    flagOf: (field) => flagOfField(field, flags),
  });
  const name = decisions[decision];
  ctx.out.result(
    { workflowId: run.workflowId, update: name, ...accepted },
    fields([
      ['Accepted', `${name} by ${personOf(await api.signedIn())} (the run was in stage ${accepted.stage})`],
      ['Run', run.workflowId],
      ['Follow', `offboard status ${run.workflowId}`],
    ]),
  );
  return ExitCode.Ok;
}

const reasonOption = (what: string) => new Option('--reason <text>', what).makeOptionMandatory();
const restoreAccessOption = (what: string) => new Option('--restore-access', what);

export const approve: CommandModule<RunFlags & { comment?: string; batch?: string }> = {
  description:
    'Approve the deletion, as the signed-in person. The run checks that you are an admin, not the requester (four ' +
    'eyes) and not the identity being offboarded. With --batch, approves every run of a batch (start --from-file) ' +
    'that waits for approval, each with its own signed decision, and prints what each run answered (exit 4 if one ' +
    'refused).',
  options: [
    new Option('--comment <text>', 'recorded with the approval'),
    new Option('--batch <id>', 'every waiting run of this batch, instead of one run'),
  ],
  async action(ctx, flags) {
    const comment = checkText('--comment', flags.comment, false);
    if (flags.batch === undefined) return decide(ctx, flags, 'approve', { comment });
    if (flags.run !== undefined || flags.user !== undefined || flags.role !== undefined) {
      throw badInput('--batch approves the runs of a batch: leave out RUN, --user and --role');
    }
    if (!isValidBatchId(flags.batch)) throw badInput(`--batch ${JSON.stringify(flags.batch)}: ${batchIdRule}`);
    const { approveBatch } = await import('./batch');
    return approveBatch(ctx, flags.batch, comment);
  },
};

export const reject: CommandModule<RunFlags & { reason: string; restoreAccess?: boolean }> = {
  description: 'Reject the deletion. With --restore-access the run undoes quarantine and revocation in reverse order.',
  options: [reasonOption('why (recorded)'), restoreAccessOption('give the identity its access back')],
  action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, true);
    return decide(ctx, flags, 'reject', { reason, restoreAccess: Boolean(flags.restoreAccess) });
  },
};

export const resolve: CommandModule<RunFlags & { proceed?: boolean; abort?: boolean; note?: string }> = {
  description:
    'Decide on the dependency findings of a run that waits for it: --proceed goes on (after a 7-day refusal: ' +
    'with Force), --abort ends the run (nothing was changed yet).',
  options: [
    new Option('--proceed', 'go on with the offboarding').conflicts('abort'),
    new Option('--abort', 'end the run; nothing has been changed yet').conflicts('proceed'),
    new Option(
      '--note <text>',
      'why it is safe to proceed, or why not (recorded; the run requires it)',
    ).makeOptionMandatory(),
  ],
  action(ctx, flags) {
    if (Boolean(flags.proceed) === Boolean(flags.abort)) throw badInput('give exactly one of --proceed or --abort');
    // The run records why an admin decided; a decision without a reason is refused, so ask for it here.
    const note = checkText('--note', flags.note, true);
    return decide(ctx, flags, 'resolve', { decision: flags.proceed ? 'proceed' : 'abort', note });
  },
};

export const rescind: CommandModule<RunFlags & { reason: string }> = {
  description:
    'Call off the offboarding (a rehire, a mistake) before Deletion begins; the run restores access. The requester ' +
    'or an admin.',
  options: [reasonOption('why (recorded)')],
  action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, true);
    return decide(ctx, flags, 'rescind', { reason });
  },
};

export const retry: CommandModule<RunFlags & { reason?: string }> = {
  options: [new Option('--reason <text>', 'what was fixed (recorded)')],
  action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, false);
    return decide(ctx, flags, 'retry', { reason });
  },
};

export const abort: CommandModule<RunFlags & { reason: string; restoreAccess?: boolean }> = {
  options: [reasonOption('why (recorded)'), restoreAccessOption('undo what the run did so far')],
  action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, true);
    return decide(ctx, flags, 'abort', { reason, restoreAccess: Boolean(flags.restoreAccess) });
  },
};
