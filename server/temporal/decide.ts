import { createHash } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { decodeJwt } from 'jose';
import { MessageRefusal } from '../../common/errors';
import { decisionUpdates, type MessageAccepted, type MessageArgsByName, type MessageName } from '../../common/messages';
import { firstRunIdOf } from '../../config/start';
import { type TemporalConfig } from '../../config/temporal';
import { refusedByRun } from '../problems';
import { type Services } from '../services';
import { type Person, type TokenSigner } from '../signer';
import { temporalProblem } from './errors';
import { describeRun, getRun, isOpen, queryStatus, type Run, stageOf, withRpcDeadline } from './runs';

/**
 * How a person's decision reaches a run: signed for the run's first run id with the newest of the API's keys that
 * the run trusts (its status lists them), and sent as a Workflow Update whose id derives from the token's jti, so a
 * retried HTTP call is not applied twice. The run's validator verifies the token and answers at once: accepted, or
 * refused with its type (WrongStage, FourEyes, OwnOffboarding, TokenReplayed, …), which the API returns as a 409.
 */

/** The update id of a decision token: the same token always makes the same update. */
export function updateIdOf(token: string): string {
  const { jti } = decodeJwt(token);
  return `decision-${createHash('sha256').update(String(jti)).digest('hex')}`;
}

export async function sendDecision<N extends MessageName>(
  p: { client: Client; temporal: TemporalConfig; signer: TokenSigner },
  run: Run,
  decision: N,
  args: MessageArgsByName[N],
  person: Person,
): Promise<MessageAccepted> {
  if (!isOpen(run)) throw refusedAsEnded(run, decision);
  const status = await queryStatus(p.client, p.temporal, run);
  const token = await p.signer.signDecision({
    workflowId: run.workflowId,
    runId: firstRunIdOf(run.info),
    decision,
    args,
    person,
    trustedKeyIds: status.trustedKeyIds,
  });
  try {
    return await withRpcDeadline(p.client, () =>
      run.handle.executeUpdate(decisionUpdates[decision], { args: [{ token }], updateId: updateIdOf(token) }),
    );
  } catch (err) {
    // The run ended between the check above and the update: the same refusal, not "no such run".
    if (err instanceof WorkflowNotFoundError) {
      const now = await describeRun(p.client, p.temporal, run.workflowId);
      if (now && !isOpen(now)) throw refusedAsEnded(now, decision);
    }
    throw temporalProblem(err, p.temporal, `${decision} on ${run.workflowId}`);
  }
}

function refusedAsEnded(run: Run, decision: MessageName): Error {
  const stage = stageOf(run.info);
  return refusedByRun(
    MessageRefusal.WrongStage,
    `${decision} refused: the run ${run.workflowId} has ended (${run.info.status.name.toLowerCase()}` +
      `${stage ? `, stage ${stage}` : ''}); it accepts no more decisions`,
  );
}

/** A person's decision on the run with this workflow id: what the JSON API's and the console's decision routes do. */
export async function decideOnRun<N extends MessageName>(
  services: Pick<Services, 'config' | 'temporal' | 'signer'>,
  workflowId: string,
  decision: N,
  args: MessageArgsByName[N],
  person: Person,
): Promise<MessageAccepted> {
  const client = await services.temporal.client();
  const temporal = services.config.temporal;
  const run = await getRun(client, temporal, workflowId);
  return sendDecision({ client, temporal, signer: services.signer }, run, decision, args, person);
}
