import { randomUUID } from 'node:crypto';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../common/errors';
import { type Plan } from '../../common/plan';
import { type TargetIdentity } from '../../common/types';
import { checkTarget } from '../../common/validation';
import { type TemporalConfig } from '../../config/temporal';
import type { PlanOffboardingInput, planOffboarding } from '../../workflows/plan-offboarding';
import { badInput, Problem, ProblemType } from '../problems';
import { type Services } from '../services';
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

/**
 * The dry run for the server's account: the root account and the worker's own identity are refused here, before the
 * worker is asked.
 */
export async function planFor(
  services: Pick<Services, 'config' | 'temporal'>,
  target: TargetIdentity,
  clusterIds?: string[],
): Promise<Plan> {
  const { config } = services;
  const problems = checkTarget(target, {
    field: 'target',
    accountId: config.accountId,
    workerIdentity: config.workerIdentity,
  });
  if (problems.length > 0) throw badInput(problems);
  return planOffboardingRun(await services.temporal.client(), config.temporal, {
    accountId: config.accountId,
    target,
    clusterIds,
  });
}

function rootApplicationFailure(err: Error): ApplicationFailure | undefined {
  for (let cause: unknown = err.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure) return cause;
  }
  return undefined;
}
