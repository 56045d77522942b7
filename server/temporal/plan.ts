import { randomUUID } from 'node:crypto';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../common/errors';
import { type Plan } from '../../common/plan';
import { type TemporalConfig } from '../../config/temporal';
import type { PlanOffboardingInput, planOffboarding } from '../../workflows/plan-offboarding';
import { badInput, Problem, ProblemType } from '../problems';
import { temporalProblem } from './errors';

/** How long a dry run may take, worker and Alibaba Cloud included, before the API answers 503. */
export const PLAN_TIMEOUT = '60s';

/**
 * The dry run: executes the read-only `planOffboarding` workflow on the worker (the only process with Alibaba
 * credentials) and returns its plan. Nothing is changed, so nothing is signed.
 */
export async function planOffboardingRun(
  client: Client,
  config: TemporalConfig,
  input: PlanOffboardingInput,
): Promise<Plan> {
  const workflowId = `plan/${input.accountId}/${input.target.type}/${input.target.name}/${randomUUID()}`;
  try {
    return await client.workflow.execute<typeof planOffboarding>('planOffboarding', {
      workflowId,
      taskQueue: config.taskQueue,
      args: [input],
      workflowExecutionTimeout: PLAN_TIMEOUT,
    });
  } catch (err) {
    const failure = err instanceof WorkflowFailedError ? rootApplicationFailure(err) : undefined;
    if (failure?.type === FailureType.InvalidInput) throw badInput([{ field: 'target', rule: failure.message }]);
    if (failure) throw new Problem(502, ProblemType.UpstreamFailed, `the dry run failed: ${failure.message}`);
    throw temporalProblem(err, config, `plan ${input.target.type}/${input.target.name}`);
  }
}

function rootApplicationFailure(err: Error): ApplicationFailure | undefined {
  for (let cause: unknown = err.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure) return cause;
  }
  return undefined;
}
