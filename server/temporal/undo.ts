import { isTerminalStage, OffboardingStage } from '../../common/stages';
import { statusQuery } from '../../common/messages';
import { type RunStatus } from '../../common/types';
import { InvalidInputError } from '../../common/inputs';
import { checkUndoInput, type UndoOffboardingInput } from '../../common/undo';
import { undoWorkflowId } from '../../common/ids';
import { startUndoOffboarding } from '../../config/start-undo';
import { badInput, Problem, ProblemType } from '../problems';
import { type Services } from '../services';
import { type Person } from '../signer';
import { temporalProblem } from './errors';
import { getRun, withRpcDeadline } from './runs';

/** How long the API waits for the undo's own checks (the offboarding's record, the bin, the name) to answer. */
const PREFLIGHT_WAIT_MS = 30_000;

export interface StartedUndo {
  workflowId: string;
  runId: string;
  joined: boolean;
  stage?: string;
  details?: string;
}

/**
 * Starts the undo of a Completed offboarding for an admin: the request checked, signed and started (one undo per user:
 * a second request joins the open one), then the undo's own checks are awaited, so that an impossible undo — not
 * completed, purged (with the date), a live user under the name — answers 409 with the run's reason at once instead of
 * a run that ends Refused later. The run checks everything itself; the API only relays its answer.
 */
export async function undoFor(
  services: Pick<Services, 'config' | 'temporal' | 'signer'>,
  offboardingWorkflowId: string,
  reason: string,
  person: Person,
): Promise<StartedUndo> {
  const client = await services.temporal.client();
  const temporal = services.config.temporal;
  const offboarding = await getRun(client, temporal, offboardingWorkflowId);
  const target = { type: 'user' as const, name: offboardingWorkflowId.split('/')[3] };
  const request: Omit<UndoOffboardingInput, 'authorization'> = {
    accountId: services.config.accountId,
    target,
    undoOf: offboarding.workflowId,
    requestedBy: person.subject,
    requestedByName: person.name,
    reason,
  };
  const problems = checkUndoInput(request, { workerIdentity: services.config.workerIdentity });
  if (problems.length > 0) throw badInput(problems);
  const workflowId = undoWorkflowId(request.accountId, target);
  const authorization = await services.signer.signRequest({ workflow: 'undoOffboarding', workflowId, request, person });
  let started;
  try {
    started = await startUndoOffboarding(
      client,
      { ...request, authorization },
      { taskQueue: temporal.taskQueue, workerIdentity: services.config.workerIdentity },
    );
    const status = await preflightAnswer(client, started.handle);
    if (status.stage === OffboardingStage.Refused) {
      throw new Problem(409, ProblemType.Refused, status.outcome ?? status.details, { refusal: 'UndoImpossible' });
    }
    return { workflowId, runId: started.runId, joined: started.joined, stage: status.stage, details: status.details };
  } catch (err) {
    if (err instanceof Problem) throw err;
    if (err instanceof InvalidInputError) throw badInput(err.problems);
    throw temporalProblem(err, temporal, `undo ${offboardingWorkflowId}`);
  }
}

/** The undo's status once its checks answered: waiting for approval, Blocked, or ended (Refused among others). */
async function preflightAnswer(
  client: Awaited<ReturnType<Services['temporal']['client']>>,
  handle: { query: (q: typeof statusQuery) => Promise<RunStatus> },
): Promise<RunStatus> {
  const deadline = Date.now() + PREFLIGHT_WAIT_MS;
  let last: RunStatus | undefined;
  for (;;) {
    last = await withRpcDeadline(client, () => handle.query(statusQuery)).catch(() => last);
    if (last && (last.pendingDecision !== null || isTerminalStage(last.stage))) return last;
    if (Date.now() > deadline) {
      if (last) return last;
      throw new Problem(
        503,
        ProblemType.TemporalUnavailable,
        'the undo did not answer its checks in time: is the worker running?',
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
