import { type Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { offboardWorkflowId, revokeKubeconfigWorkflowId } from '../common/ids';
import { checkOffboardInput, checkRevokeInput, InvalidInputError } from '../common/inputs';
import {
  initialSearchAttributes,
  offboardStaticDetails,
  offboardStaticSummary,
  revokeStaticDetails,
  revokeStaticSummary,
} from '../common/presentation';
import { OffboardingStage } from '../common/stages';
import { type TimingBounds } from '../common/timing';
import { type OffboardIdentityInput, type RevokeKubeconfigInput } from '../common/types';
import type { offboardIdentity, revokeKubeconfig } from '../workflows';

/**
 * How every tool starts a run (the CLI, tests, later the HTTP API): input checked before anything is sent, id derived
 * from the target (a second start for the same identity joins the running run), search attributes and the UI's
 * summary/details set at start.
 */
export interface StartOptions {
  taskQueue: string;
  /** `user/<name>` or `role/<name>` of the worker, when the caller knows it: refused as a target up front. */
  workerIdentity?: string;
  /** The bounds the worker applies to durations and dates (production's when absent). */
  timing?: TimingBounds;
}

export interface Started<T> {
  handle: WorkflowHandle<T extends 'offboard' ? typeof offboardIdentity : typeof revokeKubeconfig>;
  workflowId: string;
  /** The run this start landed on: the running one when a run for the same identity already existed. */
  runId: string;
}

export async function startOffboardIdentity(
  client: Client,
  input: OffboardIdentityInput,
  options: StartOptions,
): Promise<Started<'offboard'>> {
  const problems = checkOffboardInput(input, { workerIdentity: options.workerIdentity, timing: options.timing });
  if (problems.length > 0) throw new InvalidInputError(problems);
  const workflowId = offboardWorkflowId(input.accountId, input.target);
  const handle = await client.workflow.start<typeof offboardIdentity>('offboardIdentity', {
    workflowId,
    taskQueue: options.taskQueue,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: initialSearchAttributes(input, OffboardingStage.Inventory),
    staticSummary: offboardStaticSummary(input),
    staticDetails: offboardStaticDetails(input),
  });
  return { handle, workflowId, runId: handle.firstExecutionRunId };
}

export async function startRevokeKubeconfig(
  client: Client,
  input: RevokeKubeconfigInput,
  options: StartOptions,
): Promise<Started<'revoke'>> {
  const problems = checkRevokeInput(input, { workerIdentity: options.workerIdentity, timing: options.timing });
  if (problems.length > 0) throw new InvalidInputError(problems);
  const workflowId = revokeKubeconfigWorkflowId(input.accountId, input.target);
  const handle = await client.workflow.start<typeof revokeKubeconfig>('revokeKubeconfig', {
    workflowId,
    taskQueue: options.taskQueue,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: initialSearchAttributes(input, OffboardingStage.Revocation),
    staticSummary: revokeStaticSummary(input),
    staticDetails: revokeStaticDetails(input),
  });
  return { handle, workflowId, runId: handle.firstExecutionRunId };
}

/**
 * The id of the first run of a workflow execution chain: what a signed decision names (it stays the same across
 * continue-as-new, and differs for a later run under the same workflow id).
 */
export function firstRunIdOf(description: WorkflowExecutionDescription): string {
  return description.raw.workflowExecutionInfo?.firstRunId || description.runId;
}
