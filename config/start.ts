import {
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { type Workflow, WorkflowIdConflictPolicy, WorkflowNotFoundError } from '@temporalio/common';
import { offboardWorkflowId, revokeKubeconfigWorkflowId } from '../common/ids';
import { type InputProblem } from '../common/errors';
import { checkOffboardInput, checkRevokeInput, InvalidInputError } from '../common/inputs';
import {
  initialSearchAttributes,
  offboardStaticDetails,
  offboardStaticSummary,
  revokeStaticDetails,
  revokeStaticSummary,
} from '../common/presentation';
import { type RunMemo, sameClusterScope } from '../common/run-memo';
import { SearchAttributes } from '../common/search-attributes';
import { OffboardingStage } from '../common/stages';
import { type TimingBounds } from '../common/timing';
import { type OffboardIdentityInput, type RevokeKubeconfigInput, type TargetIdentity } from '../common/types';
import { identityRef } from '../common/validation';
import type { offboardIdentity, revokeKubeconfig } from '../workflows';

/**
 * How every tool starts a run (the CLI, tests, the HTTP API): input checked before anything is sent, id derived from
 * the target (a second start of the same request joins the running run; one with other clusters is refused with the
 * running run's id), search attributes, the UI's summary/details and the run's memo (common/run-memo.ts) set at start.
 */
export interface StartOptions {
  taskQueue: string;
  /** `user/<name>` or `role/<name>` of the worker, when the caller knows it: refused as a target up front. */
  workerIdentity?: string;
  /** The bounds the worker applies to durations and dates (production's when absent). */
  timing?: TimingBounds;
  /**
   * The bulk intake this start belongs to (common/batch.ts), set as the OffboardingBatch search attribute of a new
   * run. A start that joins a running run leaves that run's attributes as they were.
   */
  batchId?: string;
}

/**
 * A run for the same identity is already running with another cluster scope: the request is not joined to it (that
 * would report a revocation of clusters nobody revoked) and nothing was started. The API answers 409 with the running
 * run's id; start again once it has ended.
 */
export class RunScopeConflictError extends Error {
  constructor(
    readonly workflowId: string,
    readonly runId: string,
    /** null: every cluster; undefined: a run started before scopes were recorded, whose scope is unknown. */
    readonly runningClusterIds: string[] | null | undefined,
    readonly requestedClusterIds: string[] | null,
  ) {
    const scope = (c: string[] | null | undefined) =>
      c === undefined ? 'an unknown scope' : c ? c.join(', ') : 'every cluster';
    super(
      `${workflowId} (run ${runId}) is already running for ${scope(runningClusterIds)}; this request names ${scope(requestedClusterIds)}. Nothing was started: start it again once that run has ended`,
    );
    this.name = 'RunScopeConflictError';
  }
}

export interface Started<T> {
  handle: WorkflowHandle<T extends 'offboard' ? typeof offboardIdentity : typeof revokeKubeconfig>;
  workflowId: string;
  /** The run this start landed on: the running one when a run for the same identity already existed. */
  runId: string;
  /** True when a run for the identity was already open: this start joined it, nothing new was started. */
  joined: boolean;
  /** The run as described right after the start (its stage, its memo): a caller need not describe it again. */
  description: WorkflowExecutionDescription;
}

export async function startOffboardIdentity(
  client: Client,
  input: OffboardIdentityInput,
  options: StartOptions,
): Promise<Started<'offboard'>> {
  const problems = checkOffboardInput(input, { workerIdentity: options.workerIdentity, timing: options.timing });
  const workflowId = offboardWorkflowId(input.accountId, input.target);
  const { handle, joined } = await startJoining<typeof offboardIdentity>(client, 'offboardIdentity', problems, {
    workflowId,
    taskQueue: options.taskQueue,
    args: [input],
    typedSearchAttributes: [
      ...initialSearchAttributes(input, OffboardingStage.Inventory),
      ...(options.batchId ? [{ key: SearchAttributes.batch, value: options.batchId }] : []),
    ],
    staticSummary: offboardStaticSummary(input),
    staticDetails: offboardStaticDetails(input),
    memo: runMemo(client, input),
  });
  const description = await refuseOtherScope(handle, input.clusterIds);
  return { handle, workflowId, runId: handle.firstExecutionRunId, joined, description };
}

export async function startRevokeKubeconfig(
  client: Client,
  input: RevokeKubeconfigInput,
  options: StartOptions,
): Promise<Started<'revoke'>> {
  const problems = checkRevokeInput(input, { workerIdentity: options.workerIdentity, timing: options.timing });
  const workflowId = revokeKubeconfigWorkflowId(input.accountId, input.target);
  const { handle, joined } = await startJoining<typeof revokeKubeconfig>(client, 'revokeKubeconfig', problems, {
    workflowId,
    taskQueue: options.taskQueue,
    args: [input],
    typedSearchAttributes: initialSearchAttributes(input, OffboardingStage.Revocation),
    staticSummary: revokeStaticSummary(input),
    staticDetails: revokeStaticDetails(input),
    memo: runMemo(client, input),
  });
  const description = await refuseOtherScope(handle, input.clusterIds);
  return { handle, workflowId, runId: handle.firstExecutionRunId, joined, description };
}

/**
 * The start every tool's runs share: input with problems is refused, each problem named, before anything is sent;
 * a start whose workflow id is running joins that run instead of starting another (`joined`). The run open before
 * the start is read while the memo, when it is a lookup, is made: the two reads cost one wait, not two.
 */
export async function startJoining<W extends Workflow>(
  client: Client,
  workflowType: string,
  problems: InputProblem[],
  options: Omit<WorkflowStartOptions<W>, 'workflowIdConflictPolicy' | 'memo'> & {
    memo?: Promise<RunMemo> | RunMemo;
  },
): Promise<{ handle: WorkflowHandleWithFirstExecutionRunId<W>; joined: boolean }> {
  if (problems.length > 0) throw new InvalidInputError(problems);
  const [openBefore, memo] = await Promise.all([
    openRunId(client.workflow.getHandle(options.workflowId)),
    options.memo,
  ]);
  const handle = await client.workflow.start<W>(workflowType, {
    ...options,
    ...(memo && { memo: { ...memo } }),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    // The SDK's conditional `args` type does not survive Omit<…> with a generic W; these are the caller's own options.
  } as WorkflowStartOptions<W>);
  return { handle, joined: openBefore === handle.firstExecutionRunId };
}

/** The id of the run open under `handle`'s workflow id, if one is. */
async function openRunId(handle: WorkflowHandle): Promise<string | undefined> {
  try {
    const d = await handle.describe();
    return d.status.name === 'RUNNING' ? d.runId : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The memo of a new run: its cluster scope, and the uids earlier runs recorded for the identity. */
async function runMemo(
  client: Client,
  input: { accountId: string; target: TargetIdentity; clusterIds?: string[] },
): Promise<RunMemo> {
  return { clusterIds: input.clusterIds ?? null, knownUids: await earlierUids(client, input.accountId, input.target) };
}

/**
 * The uids earlier runs (open or closed, kept as long as the namespace's retention) recorded for this identity, from
 * Temporal visibility. A lookup that fails leaves the list empty: the run then asks an admin about kubeconfigs it
 * cannot attribute instead of matching them.
 */
async function earlierUids(client: Client, accountId: string, target: TargetIdentity): Promise<string[]> {
  const uids = new Set<string>();
  const query = `${SearchAttributes.account.name} = '${accountId}' AND ${SearchAttributes.target.name} = '${identityRef(target.type, target.name)}'`;
  try {
    let seen = 0;
    for await (const run of client.workflow.list({ query, pageSize: 100 })) {
      const uid = run.typedSearchAttributes.get(SearchAttributes.uid);
      if (uid) uids.add(uid);
      if (++seen >= 100) break;
    }
  } catch {
    return [];
  }
  return [...uids];
}

/**
 * After a start, which may have joined a running run (even one started between the look before and the start, which
 * `joined` does not see): refuses (nothing was started) when that run's cluster scope is not this request's, and
 * otherwise returns the run's description.
 */
async function refuseOtherScope(
  handle: WorkflowHandle,
  requested: string[] | undefined,
): Promise<WorkflowExecutionDescription> {
  const d = await handle.describe();
  const memo = d.memo ?? {};
  const running = 'clusterIds' in memo ? ((memo.clusterIds as string[] | null) ?? null) : undefined;
  if (running === undefined || !sameClusterScope(running, requested ?? null)) {
    throw new RunScopeConflictError(handle.workflowId, firstRunIdOf(d), running, requested ?? null);
  }
  return d;
}

/**
 * The id of the first run of a workflow execution chain: what a signed decision names (it stays the same across
 * continue-as-new, and differs for a later run under the same workflow id).
 */
export function firstRunIdOf(description: WorkflowExecutionDescription): string {
  return description.raw.workflowExecutionInfo?.firstRunId || description.runId;
}
