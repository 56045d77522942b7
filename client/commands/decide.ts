import { type UpdateDefinition } from '@temporalio/common';
import { Option } from 'commander';
import {
  abortUpdate,
  approveDeletionUpdate,
  type MessageAccepted,
  rejectDeletionUpdate,
  rescindUpdate,
  resolveDependenciesUpdate,
  retryUpdate,
} from '../../common';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import { asOption, checkActor, checkText, type RunFlags } from '../flags';
import { fields } from '../output';
import { resolveRun, sendUpdate } from '../runs';

/**
 * The decisions people send to a run: each is a Workflow Update, so the run's validator answers at once — accepted,
 * or refused with its reason (exit 4, nothing changed). The CLI checks the flags first and never guesses for the run.
 */

interface DecisionFlags extends RunFlags {
  as: string;
}

/** Sends one decision, `update` with `args`, to the run that the flags name, once the flags are checked. */
async function decide<A>(
  ctx: Ctx,
  flags: DecisionFlags,
  update: UpdateDefinition<MessageAccepted, [A]>,
  args: A,
): Promise<ExitCode> {
  checkActor('--as', flags.as);
  const session = await ctx.temporal();
  const run = await resolveRun(session, ctx.env, flags);
  const accepted: MessageAccepted = await sendUpdate(session, run, update, args);
  ctx.out.result(
    { workflowId: run.workflowId, update: update.name, ...accepted },
    fields([
      ['Accepted', `${update.name} by ${flags.as} (the run was in stage ${accepted.stage})`],
      ['Run', run.workflowId],
      ['Follow', `offboard status ${run.workflowId}`],
    ]),
  );
  return ExitCode.Ok;
}

const reasonOption = (what: string) => new Option('--reason <text>', what).makeOptionMandatory();
const restoreAccessOption = (what: string) => new Option('--restore-access', what);

export const approve: CommandModule<DecisionFlags & { comment?: string }> = {
  description: 'Approve the deletion. The run checks that you are an admin and not the requester (four eyes).',
  options: [asOption(), new Option('--comment <text>', 'recorded with the approval')],
  action(ctx, flags) {
    const comment = checkText('--comment', flags.comment, false);
    return decide(ctx, flags, approveDeletionUpdate, { actor: flags.as, comment });
  },
};

export const reject: CommandModule<DecisionFlags & { reason: string; restoreAccess?: boolean }> = {
  description: 'Reject the deletion. With --restore-access the run undoes quarantine and revocation in reverse order.',
  options: [asOption(), reasonOption('why (recorded)'), restoreAccessOption('give the identity its access back')],
  action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, true) as string;
    return decide(ctx, flags, rejectDeletionUpdate, {
      actor: flags.as,
      reason,
      restoreAccess: Boolean(flags.restoreAccess),
    });
  },
};

export const resolve: CommandModule<DecisionFlags & { proceed?: boolean; abort?: boolean; note?: string }> = {
  description:
    'Decide on the dependency findings of a run that waits for it: --proceed goes on (after a 7-day refusal: ' +
    'with Force), --abort ends the run (nothing was changed yet).',
  options: [
    asOption(),
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
    const note = checkText('--note', flags.note, true) as string;
    return decide(ctx, flags, resolveDependenciesUpdate, {
      actor: flags.as,
      decision: flags.proceed ? 'proceed' : 'abort',
      reason: note,
    });
  },
};

export const rescind: CommandModule<DecisionFlags & { reason: string }> = {
  description: 'Call off the offboarding (a rehire, a mistake) before Deletion begins; the run restores access.',
  options: [asOption(), reasonOption('why (recorded)')],
  action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, true) as string;
    return decide(ctx, flags, rescindUpdate, { actor: flags.as, reason });
  },
};

export const retry: CommandModule<DecisionFlags & { reason?: string }> = {
  options: [asOption(), new Option('--reason <text>', 'what was fixed (recorded)')],
  action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, false);
    return decide(ctx, flags, retryUpdate, { actor: flags.as, reason });
  },
};

export const abort: CommandModule<DecisionFlags & { reason: string; restoreAccess?: boolean }> = {
  options: [asOption(), reasonOption('why (recorded)'), restoreAccessOption('undo what the run did so far')],
  action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, true) as string;
    return decide(ctx, flags, abortUpdate, { actor: flags.as, reason, restoreAccess: Boolean(flags.restoreAccess) });
  },
};
