import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { FailureType, formatInputProblems, type InputProblem } from '../../common/errors';
import { type InputContext } from '../../common/inputs';
import { checkStartRequest } from '../../common/requests';
import { OffboardingStage } from '../../common/stages';
import { FAST_TIMING } from '../../common/timing';
import { type OffboardIdentityInput, type RevokeKubeconfigInput } from '../../common/types';
import { type UndoOffboardingInput } from '../../common/undo';
import { describeDecider } from '../run/decisions';
import { endRun } from '../run/ending';
import { type Run } from '../run/run';

type Input = OffboardIdentityInput | RevokeKubeconfigInput | UndoOffboardingInput;

function badInput(problems: InputProblem[]): never {
  throw ApplicationFailure.nonRetryable(`invalid input: ${formatInputProblems(problems)}`, FailureType.InvalidInput);
}

/**
 * The first step of both workflows, before any change: the input is checked; the worker's configuration is loaded
 * (its account, its own identity, the keys it trusts, its timing bounds) and the input checked again against it; then the signed
 * request must verify (common/requests.ts). Bad input fails the run; a request that does not verify ends it
 * `Refused`. Either way nothing was changed.
 */
export async function admitRequest(
  run: Run,
  input: Input,
  check: (input: unknown, ctx?: InputContext) => InputProblem[],
): Promise<void> {
  const info = workflowInfo();
  const nowMs = info.runStartTime.getTime();
  // Before the configuration is known, the loosest bounds any worker may apply; then the worker's own.
  const early = check(input, { timing: FAST_TIMING, nowMs });
  if (early.length > 0) badInput(early);
  const policy = await run.act('loadRunPolicy', 'Load the worker identity and the trusted keys from configuration');
  run.trust.load(policy.trust.keys, policy.trust.issuer);
  run.timing = policy.timing;
  run.recycleBinPurge = policy.recycleBinPurge ?? { kind: 'keep' };
  run.board.status.trustedKeyIds = policy.trust.keys.map((k) => k.kid);
  const problems = check(input, { workerIdentity: policy.workerIdentity, timing: policy.timing, nowMs });
  if (input.accountId !== policy.accountId)
    problems.push({ field: 'accountId', rule: `must be the account this worker serves (${policy.accountId})` });
  if (problems.length > 0) badInput(problems);

  // The purge child is not started by a person: it carries its parent's request instead (purge-from-recycle-bin.ts).
  if (run.workflow === 'purgeFromRecycleBin')
    throw new Error('a purge run is admitted by its parent, not by a request');
  const verdict = checkStartRequest(input, {
    workflow: run.workflow,
    workflowId: info.workflowId,
    // When the request was presented: the server's record of the run's start, which no client sets. Not when a worker
    // first took the run up: a backlog of workflow tasks (a bulk of 2,000 on one worker) must not refuse a request
    // that was valid when it came.
    startedAtMs: info.startTime.getTime(),
    keys: run.trust.keys,
    issuer: run.trust.issuer,
  });
  if (!verdict.ok) {
    run.board.audit('start', 'refused', `${verdict.refusal}: ${verdict.message}`, undefined, { actor: 'unverified' });
    endRun(OffboardingStage.Refused, `refused: ${verdict.message}; nothing was changed`);
  }
  const { claims } = verdict;
  run.trust.requesterSubject = claims.sub;
  run.trust.use(claims, Date.now());
  const by = describeDecider({ subject: claims.sub, name: claims.name });
  run.board.audit(
    'start',
    'info',
    `requested by ${by} (${input.reason})${'comment' in input && input.comment ? `: ${input.comment}` : ''}`,
    undefined,
    { actor: claims.sub, token: input.authorization },
  );
}
