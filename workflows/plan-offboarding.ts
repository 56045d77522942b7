import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { OffboardActivities } from '../activities/types';
import { FailureType, formatInputProblems } from '../common/errors';
import { type Plan } from '../common/plan';
import { type TargetIdentity } from '../common/types';
import { checkClusterIds, checkTarget, isValidAccountId, Rules } from '../common/validation';
import { ACTIVITY_OPTIONS } from './run/activity-options';

export interface PlanOffboardingInput {
  accountId: string;
  target: TargetIdentity;
  clusterIds?: string[];
}

/**
 * The dry run of an offboarding, for HR before they confirm: one read-only activity on the worker, whose result is
 * the plan. It changes nothing, so it needs no signed request; it is not an offboarding run (`offboard list` and the
 * stage search attribute ignore it).
 */
export async function planOffboarding(input: PlanOffboardingInput): Promise<Plan> {
  const problems = [
    ...(isValidAccountId(input?.accountId) ? [] : [{ field: 'accountId', rule: Rules.accountId }]),
    ...checkTarget(input?.target, { field: 'target', accountId: input?.accountId }),
    ...checkClusterIds(input?.clusterIds),
  ];
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(`invalid input: ${formatInputProblems(problems)}`, FailureType.InvalidInput);
  }
  const { planIdentity } = proxyActivities<OffboardActivities>(ACTIVITY_OPTIONS.planIdentity);
  return planIdentity(input);
}
