import { WorkflowNotFoundError, WorkflowIdConflictPolicy } from '@temporalio/common';
import {
  checkOffboardInput,
  checkRevokeInput,
  initialSearchAttributes,
  InvalidInputError,
  OffboardingStage,
  type OffboardIdentityInput,
  offboardStaticDetails,
  offboardStaticSummary,
  offboardWorkflowId,
  type RevokeKubeconfigInput,
  revokeKubeconfigWorkflowId,
  revokeStaticDetails,
  revokeStaticSummary,
} from '../common';
import { type Run } from './runs';
import { temporalError, type TemporalSession } from './temporal';

/**
 * Starts a run the way every surface must: id derived from the target, USE_EXISTING (a second request joins the
 * running run), static summary and details for the UI, and the search attributes from the first moment.
 * `joined` tells whether a run for this identity was already open.
 */
async function startRun(
  session: TemporalSession,
  workflowType: 'offboardIdentity' | 'revokeKubeconfig',
  workflowId: string,
  input: OffboardIdentityInput | RevokeKubeconfigInput,
  staticSummary: string,
  staticDetails: string,
): Promise<{ run: Run; joined: boolean }> {
  try {
    const before = await session.client.workflow
      .getHandle(workflowId)
      .describe()
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
    const handle = await session.client.workflow.start(workflowType, {
      workflowId,
      taskQueue: session.config.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: initialSearchAttributes(input, OffboardingStage.Inventory),
      staticSummary,
      staticDetails,
    });
    const joined = before?.status.name === 'RUNNING' && before.runId === handle.firstExecutionRunId;
    const run = { workflowId, handle, info: await handle.describe() };
    return { run, joined };
  } catch (err) {
    throw temporalError(err, session.config, `start ${workflowId}`);
  }
}

export function startOffboarding(
  session: TemporalSession,
  input: OffboardIdentityInput,
  workerIdentity?: string,
): Promise<{ run: Run; joined: boolean }> {
  const problems = checkOffboardInput(input, { workerIdentity });
  if (problems.length) throw new InvalidInputError(problems);
  return startRun(
    session,
    'offboardIdentity',
    offboardWorkflowId(input.accountId, input.target),
    input,
    offboardStaticSummary(input),
    offboardStaticDetails(input),
  );
}

export function startRevocation(
  session: TemporalSession,
  input: RevokeKubeconfigInput,
  workerIdentity?: string,
): Promise<{ run: Run; joined: boolean }> {
  const problems = checkRevokeInput(input, { workerIdentity });
  if (problems.length) throw new InvalidInputError(problems);
  return startRun(
    session,
    'revokeKubeconfig',
    revokeKubeconfigWorkflowId(input.accountId, input.target),
    input,
    revokeStaticSummary(input),
    revokeStaticDetails(input),
  );
}
