import { formatInputProblems, type InputProblem } from './errors';
import { checkDeleteNotBefore, checkRunDurations, PRODUCTION_TIMING, type TimingBounds } from './timing';
import { type SweepInput, SweepModes } from './sweep';
import { type OffboardIdentityInput, type RevokeKubeconfigInput } from './types';
import {
  checkClusterIds,
  checkTarget,
  checkText,
  isValidAccountId,
  isValidActor,
  OffboardReasons,
  Rules,
} from './validation';

/**
 * Whole-input checks of both workflows. `workerIdentity` (`user/<name>` or `role/<name>`) and the timing bounds come
 * from the worker's configuration when the workflow re-checks; the CLI and the API pass their own configuration's
 * values (production bounds unless told otherwise).
 */
export interface InputContext {
  workerIdentity?: string;
  /** Bounds on durations and dates (common/timing.ts); production's when absent. */
  timing?: TimingBounds;
  /** "Now" for date bounds: the run's start time in the workflow, the clock elsewhere. */
  nowMs?: number;
}

function checkCommon(input: Partial<OffboardIdentityInput & RevokeKubeconfigInput>, ctx: InputContext): InputProblem[] {
  const problems: InputProblem[] = [];
  if (!isValidAccountId(input.accountId)) problems.push({ field: 'accountId', rule: Rules.accountId });
  problems.push(
    ...checkTarget(input.target, { field: 'target', accountId: input.accountId, workerIdentity: ctx.workerIdentity }),
  );
  if (!isValidActor(input.requestedBy)) problems.push({ field: 'requestedBy', rule: Rules.actor });
  problems.push(...checkText(input.requestedByName, 'requestedByName', 200));
  if (!OffboardReasons.includes(input.reason as (typeof OffboardReasons)[number])) {
    problems.push({ field: 'reason', rule: Rules.reason });
  }
  problems.push(...checkText(input.comment, 'comment'));
  problems.push(...checkClusterIds(input.clusterIds));
  return problems;
}

export function checkOffboardInput(input: unknown, ctx: InputContext = {}): InputProblem[] {
  if (!input || typeof input !== 'object') return [{ field: 'input', rule: 'must be an object' }];
  const i = input as Partial<OffboardIdentityInput>;
  const timing = ctx.timing ?? PRODUCTION_TIMING;
  return [
    ...checkCommon(i, ctx),
    ...checkText(i.ticket, 'ticket', 100),
    ...checkDeleteNotBefore(i.deleteNotBefore, 'deleteNotBefore', timing, ctx.nowMs ?? Date.now()),
    ...checkRunDurations(i, timing),
  ];
}

export function checkRevokeInput(input: unknown, ctx: InputContext = {}): InputProblem[] {
  if (!input || typeof input !== 'object') return [{ field: 'input', rule: 'must be an object' }];
  const i = input as Partial<RevokeKubeconfigInput>;
  const problems = [...checkCommon(i, ctx), ...checkRunDurations(i, ctx.timing ?? PRODUCTION_TIMING)];
  if (i.force !== undefined && typeof i.force !== 'boolean')
    problems.push({ field: 'force', rule: 'must be true or false' });
  return problems;
}

/** The longest a sweep may wait before reporting a user's silence as stale access, in days. */
export const MAX_STALE_AFTER_DAYS = 3650;

/** A sweep's input: the API checks it before signing, the workflow again before anything is read. */
export function checkSweepInput(input: unknown): InputProblem[] {
  if (!input || typeof input !== 'object') return [{ field: 'input', rule: 'must be an object' }];
  const i = input as Partial<SweepInput>;
  const problems: InputProblem[] = [];
  if (!isValidAccountId(i.accountId)) problems.push({ field: 'accountId', rule: Rules.accountId });
  if (!SweepModes.includes(i.mode as SweepInput['mode'])) {
    problems.push({ field: 'mode', rule: `must be one of ${SweepModes.join(', ')}` });
  }
  if (i.mode === 'dry-run-first' && (typeof i.revokeFrom !== 'string' || Number.isNaN(Date.parse(i.revokeFrom)))) {
    problems.push({ field: 'revokeFrom', rule: 'must be an ISO-8601 date with mode dry-run-first' });
  }
  if (i.mode !== 'dry-run-first' && i.revokeFrom !== undefined) {
    problems.push({ field: 'revokeFrom', rule: 'is only for mode dry-run-first' });
  }
  problems.push(...checkClusterIds(i.clusterIds));
  const stale = i.staleAfterDays;
  if (stale !== undefined && (!Number.isInteger(stale) || stale < 1 || stale > MAX_STALE_AFTER_DAYS)) {
    problems.push({
      field: 'staleAfterDays',
      rule: `must be a whole number of days from 1 to ${MAX_STALE_AFTER_DAYS}`,
    });
  }
  if (i.scheduleId !== undefined) problems.push(...checkText(i.scheduleId, 'scheduleId', 200));
  if (!isValidActor(i.requestedBy)) problems.push({ field: 'requestedBy', rule: Rules.actor });
  problems.push(...checkText(i.requestedByName, 'requestedByName', 200));
  return problems;
}

/** Error thrown by the start helpers for bad input; the message names every bad field and its rule. */
export class InvalidInputError extends Error {
  constructor(public readonly problems: InputProblem[]) {
    super(`invalid input: ${formatInputProblems(problems)}`);
    this.name = 'InvalidInputError';
  }
}
