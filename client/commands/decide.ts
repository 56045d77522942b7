import { type UpdateDefinition } from '@temporalio/common';
import {
  abortUpdate,
  approveDeletionUpdate,
  type MessageAccepted,
  rejectDeletionUpdate,
  rescindUpdate,
  resolveDependenciesUpdate,
  retryUpdate,
} from '../../common';
import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import { checkActor, checkText, type TargetFlags } from '../flags';
import { fields } from '../output';
import { resolveRun, type Run, sendUpdate } from '../runs';

/**
 * The decisions people send to a run: each is a Workflow Update, so the run's validator answers at once — accepted,
 * or refused with its reason (exit 4, nothing changed). The CLI checks the flags first and never guesses for the run.
 */

interface DecisionFlags extends TargetFlags {
  as: string;
}

async function decide<A>(
  ctx: Ctx,
  runArg: string | undefined,
  flags: DecisionFlags,
  send: (run: Run) => { name: string; update: UpdateDefinition<MessageAccepted, [A]>; args: A },
): Promise<ExitCode> {
  checkActor('--as', flags.as);
  const session = await ctx.temporal();
  const run = await resolveRun(session, ctx.env, runArg, flags);
  const { name, update, args } = send(run);
  const accepted: MessageAccepted = await sendUpdate(session, run, update, args);
  ctx.out.result(
    { workflowId: run.workflowId, update: name, ...accepted },
    fields([
      ['Accepted', `${name} by ${flags.as} (the run was in stage ${accepted.stage})`],
      ['Run', run.workflowId],
      ['Follow', `offboard status ${run.workflowId}`],
    ]),
  );
  return ExitCode.Ok;
}

export function approveCommand(ctx: Ctx, runArg: string | undefined, flags: DecisionFlags & { comment?: string }) {
  const comment = checkText('--comment', flags.comment, false);
  return decide(ctx, runArg, flags, () => ({
    name: 'approveDeletion',
    update: approveDeletionUpdate,
    args: { actor: flags.as, comment },
  }));
}

export function rejectCommand(
  ctx: Ctx,
  runArg: string | undefined,
  flags: DecisionFlags & { reason: string; restoreAccess?: boolean },
) {
  const reason = checkText('--reason', flags.reason, true) as string;
  return decide(ctx, runArg, flags, () => ({
    name: 'rejectDeletion',
    update: rejectDeletionUpdate,
    args: { actor: flags.as, reason, restoreAccess: Boolean(flags.restoreAccess) },
  }));
}

export function resolveCommand(
  ctx: Ctx,
  runArg: string | undefined,
  flags: DecisionFlags & { proceed?: boolean; abort?: boolean; note?: string },
) {
  if (Boolean(flags.proceed) === Boolean(flags.abort)) throw badInput('give exactly one of --proceed or --abort');
  // The run records why an admin decided; a decision without a reason is refused, so ask for it here.
  const note = checkText('--note', flags.note, true) as string;
  return decide(ctx, runArg, flags, () => ({
    name: 'resolveDependencies',
    update: resolveDependenciesUpdate,
    args: { actor: flags.as, decision: flags.proceed ? ('proceed' as const) : ('abort' as const), reason: note },
  }));
}

export function rescindCommand(ctx: Ctx, runArg: string | undefined, flags: DecisionFlags & { reason: string }) {
  const reason = checkText('--reason', flags.reason, true) as string;
  return decide(ctx, runArg, flags, () => ({
    name: 'rescind',
    update: rescindUpdate,
    args: { actor: flags.as, reason },
  }));
}

export function retryCommand(ctx: Ctx, runArg: string | undefined, flags: DecisionFlags & { reason?: string }) {
  const reason = checkText('--reason', flags.reason, false);
  return decide(ctx, runArg, flags, () => ({
    name: 'retry',
    update: retryUpdate,
    args: { actor: flags.as, reason },
  }));
}

export function abortCommand(
  ctx: Ctx,
  runArg: string | undefined,
  flags: DecisionFlags & { reason: string; restoreAccess?: boolean },
) {
  const reason = checkText('--reason', flags.reason, true) as string;
  return decide(ctx, runArg, flags, () => ({
    name: 'abort',
    update: abortUpdate,
    args: { actor: flags.as, reason, restoreAccess: Boolean(flags.restoreAccess) },
  }));
}
