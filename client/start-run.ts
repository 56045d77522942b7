import { WorkflowNotFoundError } from '@temporalio/common';
import {
  InvalidInputError,
  type OffboardIdentityInput,
  offboardWorkflowId,
  type RevokeKubeconfigInput,
  revokeKubeconfigWorkflowId,
} from '../common';
import { startOffboardIdentity, startRevokeKubeconfig } from '../config/start';
import { type RunRef } from './runs';
import { temporalError, type TemporalSession } from './temporal';

/**
 * Starts a run through the one start helper (config/start.ts), so that the CLI, the demo and the tests start
 * runs identically: input checked first, id from the target, USE_EXISTING, search attributes, UI summary/details.
 * The CLI adds one thing: whether a run for this identity was already open (then the start joined it).
 */
async function startAndTell(
  session: TemporalSession,
  workflowId: string,
  start: () => Promise<{ runId: string }>,
): Promise<{ run: RunRef; joined: boolean }> {
  const handle = session.client.workflow.getHandle(workflowId);
  let before;
  try {
    before = await handle.describe().catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
  } catch (err) {
    throw temporalError(err, session.config, `describe ${workflowId}`);
  }
  let runId: string;
  try {
    ({ runId } = await start());
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    throw temporalError(err, session.config, `start ${workflowId}`);
  }
  const joined = before?.status.name === 'RUNNING' && before.runId === runId;
  const runHandle = session.client.workflow.getHandle(workflowId);
  return { run: { workflowId, handle: runHandle, info: await runHandle.describe() }, joined };
}

export function startOffboarding(session: TemporalSession, input: OffboardIdentityInput, workerIdentity?: string) {
  return startAndTell(session, offboardWorkflowId(input.accountId, input.target), () =>
    startOffboardIdentity(session.client, input, { taskQueue: session.config.taskQueue, workerIdentity }),
  );
}

export function startRevocation(session: TemporalSession, input: RevokeKubeconfigInput, workerIdentity?: string) {
  return startAndTell(session, revokeKubeconfigWorkflowId(input.accountId, input.target), () =>
    startRevokeKubeconfig(session.client, input, { taskQueue: session.config.taskQueue, workerIdentity }),
  );
}
