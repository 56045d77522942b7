import { type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { checkSweepInput, InvalidInputError } from '../common/inputs';
import { SWEEP_WORKFLOW, type SweepInput, sweepSearchAttributes } from '../common/sweep';
import type { sweepOrphanedKubeconfigs } from '../workflows';

/**
 * How every tool starts a sweep on demand (the API, tests, the benchmark): input checked first, the search attributes
 * on-call filters on, and a summary for the UI. The workflow id is the caller's (common/ids.ts
 * `onDemandSweepWorkflowId`): a second start with the same id joins the running sweep.
 */
export async function startSweep(
  client: Client,
  workflowId: string,
  input: SweepInput,
  options: { taskQueue: string },
): Promise<WorkflowHandle<typeof sweepOrphanedKubeconfigs>> {
  const problems = checkSweepInput(input);
  if (problems.length > 0) throw new InvalidInputError(problems);
  return client.workflow.start<typeof sweepOrphanedKubeconfigs>(SWEEP_WORKFLOW, {
    workflowId,
    taskQueue: options.taskQueue,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: sweepSearchAttributes(input),
    staticSummary: sweepSummary(input),
  });
}

/** The one line the Temporal UI shows for a sweep. */
export function sweepSummary(input: Pick<SweepInput, 'accountId' | 'mode' | 'clusterIds'>): string {
  const scope = input.clusterIds ? `clusters ${input.clusterIds.join(', ')}` : 'every cluster';
  return `Orphan sweep of account ${input.accountId} (${scope}, ${input.mode})`;
}
