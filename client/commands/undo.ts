import { Option } from 'commander';
import { parseRunWorkflowId } from '../../common/ids';
import { runPath, type Api } from '../api';
import { type CommandModule } from '../command';
import { badInput, ExitCode } from '../errors';
import { checkText, flagOfField, type RunFlags } from '../flags';
import { fields } from '../output';
import { resolveRun, type RunRef } from '../runs';
import { type StartedUndo } from '../../server/temporal/undo';
import { decide } from './decide';

/**
 * Undo of a Completed offboarding (RAM's recycle bin): `undo RUN --reason …` asks for it (an admin; the API answers
 * 409 with the run's reason when it is impossible: not completed, purged — with the date —, a live user under the
 * name), and a second admin decides with `approve-undo` / `reject-undo`, on the undo run or naming the offboarding.
 */

/** The offboarding of a user that RUN (or --user) names. */
async function offboardingOf(api: () => Api, flags: RunFlags): Promise<RunRef> {
  const run = await resolveRun(api, flags);
  const parsed = parseRunWorkflowId(run.workflowId);
  if (parsed?.workflow !== 'offboardIdentity' || parsed.target.type !== 'user') {
    throw badInput(
      `${run.workflowId}: only the offboarding of a RAM user can be undone (roles have no recycle bin): offboard/<account>/user/<name>`,
    );
  }
  return run;
}

const UNDO_RUN = /^undo\/(\d+)\/user\/([^/]+)$/;

/** The undo run: RUN given as undo/<account>/user/<name>, or the undone offboarding's id, or --user NAME. */
async function undoRunOf(api: () => Api, flags: RunFlags): Promise<RunRef> {
  if (flags.run !== undefined && UNDO_RUN.test(flags.run)) return { workflowId: flags.run };
  const offboarding = await offboardingOf(api, flags);
  return { workflowId: offboarding.workflowId.replace(/^offboard\//, 'undo/') };
}

export const undo: CommandModule<RunFlags & { reason: string }> = {
  description:
    "Undo a Completed offboarding of a RAM user while RAM's recycle bin still holds it: the undo run checks that, then " +
    'waits for a second admin (`offboard approve-undo`), and restores the user with its uid, its keys Inactive, its ' +
    'groups, policies and RBAC grants, and console login only as a reset-required password.',
  options: [new Option('--reason <text>', 'why (recorded, shown to the approver)').makeOptionMandatory()],
  async action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, true);
    const offboarding = await offboardingOf(() => ctx.api(), flags);
    const started = await ctx.api().post<StartedUndo>(
      runPath(offboarding.workflowId, 'undo'),
      { reason },
      {
        flagOf: (field) => flagOfField(field, flags),
      },
    );
    ctx.out.result(
      { ...started, undoOf: offboarding.workflowId },
      fields([
        [started.joined ? 'Joined' : 'Started', `${started.workflowId} (stage ${started.stage ?? 'unknown'})`],
        ['Waiting', started.details ?? ''],
        ['Next', `a second admin: offboard approve-undo ${started.workflowId}`],
      ]),
    );
    return ExitCode.Ok;
  },
};

export const approveUndo: CommandModule<RunFlags & { comment?: string }> = {
  description:
    'Approve an undo, as the signed-in admin: the run checks that you are not its requester (four eyes) and not the ' +
    'user being restored.',
  options: [new Option('--comment <text>', 'recorded with the approval')],
  action(ctx, flags) {
    const comment = checkText('--comment', flags.comment, false);
    return decide(ctx, flags, 'approve-undo', { comment }, undoRunOf);
  },
};

export const rejectUndo: CommandModule<RunFlags & { reason: string }> = {
  description: 'Reject an undo: the user stays deleted.',
  options: [new Option('--reason <text>', 'why (recorded)').makeOptionMandatory()],
  action(ctx, flags) {
    const reason = checkText('--reason', flags.reason, true);
    return decide(ctx, flags, 'reject-undo', { reason }, undoRunOf);
  },
};
