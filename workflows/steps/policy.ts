import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType, formatInputProblems, type InputProblem } from '../../common/errors';
import { type InputContext } from '../../common/inputs';
import { type OffboardIdentityInput, type RevokeKubeconfigInput } from '../../common/types';
import { type Run } from '../run/run';

type Input = OffboardIdentityInput | RevokeKubeconfigInput;

function refuse(problems: InputProblem[]): never {
  throw ApplicationFailure.nonRetryable(`invalid input: ${formatInputProblems(problems)}`, FailureType.InvalidInput);
}

/**
 * The first step of both workflows: the input is checked before anything else, then again with the worker's
 * configuration (its account, its own identity) once loaded; the admins are loaded for the message rules. Bad input
 * fails the run at once, before any change.
 */
export async function loadPolicy(
  run: Run,
  input: Input,
  check: (input: unknown, ctx?: InputContext) => InputProblem[],
): Promise<void> {
  const early = check(input);
  if (early.length > 0) refuse(early);
  const policy = await run.act('loadRunPolicy', 'Load admins and the worker identity from configuration');
  run.board.status.admins = policy.admins;
  const problems = check(input, { workerIdentity: policy.workerIdentity });
  if (input.accountId !== policy.accountId)
    problems.push({ field: 'accountId', rule: `must be the account this worker serves (${policy.accountId})` });
  if (problems.length > 0) refuse(problems);
  run.board.audit(
    'start',
    'info',
    `requested by ${input.requestedBy} (${input.reason})${input.comment ? `: ${input.comment}` : ''}`,
    undefined,
    input.requestedBy,
  );
}
