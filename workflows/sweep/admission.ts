import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { FailureType, formatInputProblems } from '../../common/errors';
import { checkSweepInput } from '../../common/inputs';
import { checkStartRequest } from '../../common/requests';
import { SWEEP_WORKFLOW, type SweepInput } from '../../common/sweep';
import { type RunActivities } from '../run/activities';
import { type AuditOutbox } from '../run/audit-outbox';
import { type SweepBoard } from './board';

/** Set by the Temporal server on every run a schedule starts; a client cannot set it. */
const scheduledByKey = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

/**
 * A sweep starts like any run: its input checked, the worker's configuration loaded, and its authorization verified —
 * a request signed for this run, or the admin's schedule grant on a run its schedule started. Anything else ends it
 * Refused before a single read.
 */
export async function admitSweep(
  input: SweepInput,
  board: SweepBoard,
  outbox: AuditOutbox,
  act: RunActivities['call'],
): Promise<void> {
  const problems = checkSweepInput(input);
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(`invalid input: ${formatInputProblems(problems)}`, FailureType.InvalidInput);
  }
  const policy = await act('loadRunPolicy', 'Load the worker identity and the trusted keys from configuration');
  if (input.accountId !== policy.accountId) {
    const rule = `must be the account this worker serves (${policy.accountId})`;
    throw ApplicationFailure.nonRetryable(`invalid input: accountId ${rule}`, FailureType.InvalidInput);
  }
  const info = workflowInfo();
  const verdict = checkStartRequest(input, {
    workflow: SWEEP_WORKFLOW,
    workflowId: info.workflowId,
    // The server's record of the run's start (see steps/policy.ts), not when a worker first took it up.
    startedAtMs: info.startTime.getTime(),
    keys: policy.trust.keys,
    issuer: policy.trust.issuer,
    scheduledById: info.typedSearchAttributes.get(scheduledByKey),
  });
  if (!verdict.ok) {
    board.audit('start', 'refused', `${verdict.refusal}: ${verdict.message}`, { actor: 'unverified' });
    board.transition('Refused', `Refused: ${verdict.message}`);
    await outbox.flush(true);
    throw ApplicationFailure.nonRetryable(`refused: ${verdict.message}; nothing was read or changed`, 'Refused');
  }
  const { claims } = verdict;
  const grant =
    claims.kind === 'schedule'
      ? ` (schedule ${claims.scheduleId}, granted until ${new Date(claims.exp * 1000).toISOString()})`
      : '';
  board.audit('start', 'info', `requested by ${claims.name || claims.sub} (${claims.sub})${grant}`, {
    actor: claims.sub,
    token: input.authorization,
  });
}

/**
 * Two sweeps of an account never overlap: the schedule skips a run while its last one runs, and the API refuses an
 * on-demand sweep while one runs, but a scheduled run may still fall during an on-demand one (or two API processes
 * start at once). Of two open sweeps, the one that started first goes on; the other ends here, having read nothing.
 */
export async function refuseOverlap(
  accountId: string,
  board: SweepBoard,
  outbox: AuditOutbox,
  act: RunActivities['call'],
): Promise<void> {
  const info = workflowInfo();
  // The server's start time, as the other sweeps' are listed (runStartTime is when a worker first took the run up).
  const mine = { workflowId: info.workflowId, startTime: info.startTime.toISOString() };
  const open = await act('openSweeps', `Look for other sweeps of account ${accountId} still running`, { accountId });
  const first = [mine, ...open].sort(
    (a, b) => a.startTime.localeCompare(b.startTime) || a.workflowId.localeCompare(b.workflowId),
  )[0];
  if (first.workflowId === mine.workflowId) return;
  const message = `sweep ${first.workflowId} of this account is running (since ${first.startTime}); this one read and changed nothing`;
  board.audit('start', 'refused', `SweepRunning: ${message}`);
  board.transition('Refused', `Refused: ${message}`);
  await outbox.flush(true);
  throw ApplicationFailure.nonRetryable(message, 'SweepRunning');
}
