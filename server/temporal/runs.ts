import {
  type Client,
  type WorkflowExecutionDescription,
  WorkflowFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { offboardWorkflowId, revokeKubeconfigWorkflowId } from '../../common/ids';
import { statusQuery } from '../../common/messages';
import { SearchAttributes } from '../../common/search-attributes';
import { type RunStatus, type TargetIdentity } from '../../common/types';
import { type TemporalConfig } from '../../config/temporal';
import { notFound, Problem, ProblemType } from '../problems';
import { RPC_TIMEOUT_MS, temporalProblem } from './errors';

/** A run the API acts on: its workflow id, a handle, and what Temporal says about its execution. */
export interface Run {
  workflowId: string;
  handle: WorkflowHandle;
  info: WorkflowExecutionDescription;
}

export async function describeRun(
  client: Client,
  config: TemporalConfig,
  workflowId: string,
): Promise<Run | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return { workflowId, handle, info: await handle.describe() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw temporalProblem(err, config, workflowId);
  }
}

/** The run with this workflow id, or 404. */
export async function getRun(client: Client, config: TemporalConfig, workflowId: string): Promise<Run> {
  const run = await describeRun(client, config, workflowId);
  if (!run) throw notFound(`no run ${workflowId} in namespace ${config.namespace}`);
  return run;
}

/**
 * The run of an identity: its offboarding, or its kubeconfig revocation, whichever is open (an open run wins over a
 * closed one; two open runs are ambiguous; of two closed runs the latest).
 */
export async function findRunOf(
  client: Client,
  config: TemporalConfig,
  accountId: string,
  target: TargetIdentity,
): Promise<Run> {
  const ids = [offboardWorkflowId(accountId, target), revokeKubeconfigWorkflowId(accountId, target)];
  const found = (await Promise.all(ids.map((id) => describeRun(client, config, id)))).filter(
    (r): r is Run => r !== undefined,
  );
  const ref = `${target.type}/${target.name}`;
  if (found.length === 0) {
    throw notFound(
      `no offboarding or revocation run for ${ref} in account ${accountId} (namespace ${config.namespace})`,
    );
  }
  const open = found.filter(isOpen);
  if (open.length > 1) {
    throw new Problem(
      409,
      ProblemType.Ambiguous,
      `${ref} has two open runs: ${open.map((r) => r.workflowId).join(' and ')}; name the one you mean by its id`,
    );
  }
  if (open.length === 1) return open[0];
  return found.sort((a, b) => b.info.startTime.getTime() - a.info.startTime.getTime())[0];
}

export function isOpen(run: Run): boolean {
  return run.info.status.name === 'RUNNING';
}

export function stageOf(info: Pick<WorkflowExecutionDescription, 'typedSearchAttributes'>): string | undefined {
  return info.typedSearchAttributes.get(SearchAttributes.stage);
}

/** Runs one call that needs a worker (query, update) with a deadline, so that no request hangs without a worker. */
export function withRpcDeadline<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + RPC_TIMEOUT_MS, fn);
}

/** The run's `status` query; needs a worker (also for closed runs: the worker replays their history to answer). */
export async function queryStatus(client: Client, config: TemporalConfig, run: Run): Promise<RunStatus> {
  try {
    return await withRpcDeadline(client, () => run.handle.query(statusQuery));
  } catch (err) {
    throw temporalProblem(err, config, `query status of ${run.workflowId}`);
  }
}

/** A run and its status: what the status and audit routes and the console's run page show. */
export async function readRun(
  client: Client,
  config: TemporalConfig,
  workflowId: string,
): Promise<{ run: Run; status: RunStatus }> {
  const run = await getRun(client, config, workflowId);
  return { run, status: await queryStatus(client, config, run) };
}

/**
 * Why a run that ended FAILED failed: the workflow's own failure type and message (e.g. InvalidInput naming a cluster
 * that does not exist), for the clients that follow a run. Undefined for any other run.
 */
export async function failureOf(run: Run): Promise<{ type?: string; message: string } | undefined> {
  if (run.info.status.name !== 'FAILED') return undefined;
  try {
    await run.handle.result();
    return undefined;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) return undefined;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return { type: cause.type ?? undefined, message: cause.message };
    return { message: cause?.message ?? err.message };
  }
}
