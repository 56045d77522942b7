import { formatInputProblems, type InputProblem } from './errors';
import { type OffboardIdentityInput, type RevokeKubeconfigInput } from './types';
import {
  checkClusterIds,
  checkDuration,
  checkIsoTime,
  checkTarget,
  isNonEmptyText,
  isValidAccountId,
  isValidActor,
  OffboardReasons,
  Rules,
} from './validation';

/**
 * Whole-input checks of both workflows. `workerIdentity` (`user/<name>` or `role/<name>`) and the account come from
 * the worker's configuration when the workflow re-checks; the CLI passes its own configuration's values.
 */
export interface InputContext {
  workerIdentity?: string;
}

function checkCommon(input: Partial<OffboardIdentityInput & RevokeKubeconfigInput>, ctx: InputContext): InputProblem[] {
  const problems: InputProblem[] = [];
  if (!isValidAccountId(input.accountId)) problems.push({ field: 'accountId', rule: Rules.accountId });
  problems.push(
    ...checkTarget(input.target, { field: 'target', accountId: input.accountId, workerIdentity: ctx.workerIdentity }),
  );
  if (!isValidActor(input.requestedBy)) problems.push({ field: 'requestedBy', rule: Rules.actor });
  if (!OffboardReasons.includes(input.reason as (typeof OffboardReasons)[number])) {
    problems.push({ field: 'reason', rule: Rules.reason });
  }
  if (input.comment !== undefined && !isNonEmptyText(input.comment))
    problems.push({ field: 'comment', rule: Rules.text });
  problems.push(...checkClusterIds(input.clusterIds));
  problems.push(...checkDuration(input.blockedReminderEvery, 'blockedReminderEvery'));
  return problems;
}

export function checkOffboardInput(input: unknown, ctx: InputContext = {}): InputProblem[] {
  if (!input || typeof input !== 'object') return [{ field: 'input', rule: 'must be an object' }];
  const i = input as Partial<OffboardIdentityInput>;
  return [
    ...checkCommon(i, ctx),
    ...checkIsoTime(i.deleteNotBefore, 'deleteNotBefore'),
    ...checkDuration(i.approvalReminderEvery, 'approvalReminderEvery'),
    ...checkDuration(i.approvalExpiresAfter, 'approvalExpiresAfter'),
  ];
}

export function checkRevokeInput(input: unknown, ctx: InputContext = {}): InputProblem[] {
  if (!input || typeof input !== 'object') return [{ field: 'input', rule: 'must be an object' }];
  const i = input as Partial<RevokeKubeconfigInput>;
  const problems = checkCommon(i, ctx);
  if (i.force !== undefined && typeof i.force !== 'boolean')
    problems.push({ field: 'force', rule: 'must be true or false' });
  return problems;
}

/** Error thrown by the start helpers for bad input; the message names every bad field and its rule. */
export class InvalidInputError extends Error {
  constructor(public readonly problems: InputProblem[]) {
    super(`invalid input: ${formatInputProblems(problems)}`);
    this.name = 'InvalidInputError';
  }
}
