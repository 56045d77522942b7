import { type Client, type WorkflowHandle } from '@temporalio/client';
import { checkSweepInput } from '../common/inputs';
import { SWEEP_WORKFLOW, type SweepInput, sweepSearchAttributes } from '../common/sweep';
import type { sweepOrphanedKubeconfigs } from '../workflows';
import { startJoining } from './start';

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
  const { handle } = await startJoining<typeof sweepOrphanedKubeconfigs>(
    client,
    SWEEP_WORKFLOW,
    checkSweepInput(input),
    {
      workflowId,
      taskQueue: options.taskQueue,
      args: [input],
      typedSearchAttributes: sweepSearchAttributes(input),
      staticSummary: sweepSummary(input),
    },
  );
  return handle;
}

/** The one line the Temporal UI shows for a sweep. */
export function sweepSummary(input: Pick<SweepInput, 'accountId' | 'mode' | 'clusterIds'>): string {
  const scope = input.clusterIds ? `clusters ${input.clusterIds.join(', ')}` : 'every cluster';
  return `Orphan sweep of account ${input.accountId} (${scope}, ${input.mode})`;
}
