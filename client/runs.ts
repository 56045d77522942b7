import { type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { type UpdateDefinition } from '@temporalio/common';
import {
  type MessageAccepted,
  MessageRefusal,
  offboardWorkflowId,
  parseRunWorkflowId,
  revokeKubeconfigWorkflowId,
  type RunStatus,
  SearchAttributes,
  statusQuery,
  type TargetIdentity,
} from '../common';
import { accountSettings } from './config';
import { badInput, CliError, ExitCode } from './errors';
import { type RunFlags, targetFromFlags } from './flags';
import { temporalError, type TemporalSession, withRpcDeadline } from './temporal';

/** A run the command acts on: its workflow id, a handle, and what the server says about it. */
export interface RunRef {
  workflowId: string;
  handle: WorkflowHandle;
  info: WorkflowExecutionDescription;
}

async function describe(session: TemporalSession, workflowId: string): Promise<RunRef | undefined> {
  const handle = session.client.workflow.getHandle(workflowId);
  try {
    return { workflowId, handle, info: await handle.describe() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw temporalError(err, session.config, workflowId);
  }
}

/**
 * RUN is a workflow id, or `--user NAME` / `--role NAME`: then the offboarding run of that identity, or its
 * kubeconfig revocation run, whichever is running (an open run wins over a closed one; two open runs are ambiguous).
 */
export async function resolveRun(session: TemporalSession, env: NodeJS.ProcessEnv, flags: RunFlags): Promise<RunRef> {
  const target = targetFromFlags(flags);
  if (flags.run !== undefined && target) throw badInput('give either RUN or --user/--role, not both');
  if (flags.run !== undefined) {
    if (!parseRunWorkflowId(flags.run)) {
      throw badInput(
        `RUN ${JSON.stringify(flags.run)}: must be a run id like offboard/<account>/user/<name> or revoke/<account>/role/<name>`,
        'See `offboard list` for the runs, or use --user NAME / --role NAME.',
      );
    }
    const run = await describe(session, flags.run);
    if (!run)
      throw new CliError(ExitCode.NotFound, `no run ${flags.run} in namespace ${session.config.namespace}`, 'NotFound');
    return run;
  }
  if (!target) throw badInput('name the run: give RUN (a workflow id) or --user NAME / --role NAME');
  return resolveByTarget(session, env, target);
}

async function resolveByTarget(
  session: TemporalSession,
  env: NodeJS.ProcessEnv,
  target: TargetIdentity,
): Promise<RunRef> {
  const { accountId } = accountSettings(env);
  const ids = [offboardWorkflowId(accountId, target), revokeKubeconfigWorkflowId(accountId, target)];
  const found = (await Promise.all(ids.map((id) => describe(session, id)))).filter((r): r is RunRef => r !== undefined);
  const ref = `${target.type}/${target.name}`;
  if (found.length === 0) {
    throw new CliError(
      ExitCode.NotFound,
      `no offboarding or revocation run for ${ref} in account ${accountId} (namespace ${session.config.namespace})`,
      'NotFound',
      'See `offboard list` for the runs.',
    );
  }
  const open = found.filter((r) => r.info.status.name === 'RUNNING');
  if (open.length > 1) {
    throw badInput(
      `${ref} has two open runs: ${open.map((r) => r.workflowId).join(' and ')}; give the one you mean as RUN`,
    );
  }
  if (open.length === 1) return open[0];
  // Both closed: the latest one.
  return found.sort((a, b) => b.info.startTime.getTime() - a.info.startTime.getTime())[0];
}

export function isOpen(run: RunRef): boolean {
  return run.info.status.name === 'RUNNING';
}

export function stageOf(run: RunRef): string | undefined {
  return run.info.typedSearchAttributes.get(SearchAttributes.stage);
}

/** The run's `status` query; needs a worker (also for closed runs: the worker replays their history to answer). */
export async function queryStatus(session: TemporalSession, run: RunRef): Promise<RunStatus> {
  try {
    return await withRpcDeadline(session, () => run.handle.query(statusQuery));
  } catch (err) {
    throw temporalError(err, session.config, `query status of ${run.workflowId}`);
  }
}

/**
 * Sends one Workflow Update and returns what the run answered. A validator's refusal (wrong stage, not an admin,
 * four eyes, …) comes back as a CliError with exit code 4 and the validator's own reason; nothing changed then.
 */
export async function sendUpdate<A>(
  session: TemporalSession,
  run: RunRef,
  update: UpdateDefinition<MessageAccepted, [A]>,
  args: A,
): Promise<MessageAccepted> {
  if (!isOpen(run)) {
    throw new CliError(
      ExitCode.Refused,
      `${update.name} refused: the run ${run.workflowId} has ended (${run.info.status.name.toLowerCase()}` +
        `${stageOf(run) ? `, stage ${stageOf(run)}` : ''}); it accepts no more decisions`,
      MessageRefusal.WrongStage,
    );
  }
  try {
    return await withRpcDeadline(session, () => run.handle.executeUpdate(update, { args: [args] }));
  } catch (err) {
    throw temporalError(err, session.config, `${update.name} on ${run.workflowId}`);
  }
}
