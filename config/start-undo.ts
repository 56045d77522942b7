import { type Client, type WorkflowHandle } from '@temporalio/client';
import { undoWorkflowId } from '../common/ids';
import { initialSearchAttributes } from '../common/presentation';
import { OffboardingStage } from '../common/stages';
import { checkUndoInput, type UndoOffboardingInput } from '../common/undo';
import { identityRef } from '../common/validation';
import type { undoOffboarding } from '../workflows';
import { type StartOptions, startJoining } from './start';

/**
 * How every tool starts an undo (the API, tests): input checked first, id derived from the user (a second request
 * joins the open undo), the search attributes and the UI's summary set at start, like the other runs.
 */
export async function startUndoOffboarding(
  client: Client,
  input: UndoOffboardingInput,
  options: StartOptions,
): Promise<{ handle: WorkflowHandle<typeof undoOffboarding>; workflowId: string; runId: string; joined: boolean }> {
  const problems = checkUndoInput(input, { workerIdentity: options.workerIdentity, timing: options.timing });
  const workflowId = undoWorkflowId(input.accountId, input.target);
  const { handle, joined } = await startJoining<typeof undoOffboarding>(client, 'undoOffboarding', problems, {
    workflowId,
    taskQueue: options.taskQueue,
    args: [input],
    typedSearchAttributes: initialSearchAttributes(input, OffboardingStage.Inventory),
    staticSummary: `Undo the offboarding of ${identityRef(input.target.type, input.target.name)} (restore from RAM's recycle bin), requested by ${input.requestedBy}`,
    staticDetails: `Undo of \`${input.undoOf}\`. Reason: ${input.reason}`,
  });
  return { handle, workflowId, runId: handle.firstExecutionRunId, joined };
}
