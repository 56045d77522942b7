import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { OffboardActivities } from '../activities/types';
import {
  confirmFailsafeUpdate,
  DeletionGovernor,
  failsafeStatusQuery,
  type GovernorState,
  reserveDeletionUpdate,
} from '../common/deletion-failsafe';
import { type TrustedKey } from '../common/signed-token';

export interface DeletionFailsafeInput {
  accountId: string;
  /** The state a previous run of this governor handed on (continue-as-new). */
  carried?: GovernorState;
}

/** Past this many events the governor hands its state to a fresh run, whatever the server suggests. */
const MAX_HISTORY_EVENTS = 5_000;

const { loadRunPolicy } = proxyActivities<Pick<OffboardActivities, 'loadRunPolicy'>>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '20s' },
});

/**
 * The blast-radius failsafe of one account (`deletion-failsafe/<accountId>`): a long-lived workflow that counts the
 * deletions runs ask for, one update at a time, so the count is exact however many runs reach Deletion at once. Past
 * the limit it holds every further deletion until an admin confirms with a token signed by the offboarding API, which
 * it verifies itself with the keys the worker trusts; each held run also verifies its own confirmation
 * (workflows/steps/deletion-failsafe.ts). It lives as long as the account's offboardings: its history is bounded by
 * continue-as-new, which carries the window, the held runs and the used token ids.
 */
export async function deletionFailsafe(input: DeletionFailsafeInput): Promise<void> {
  const governor = new DeletionGovernor(input.accountId, input.carried);
  // Loaded from the worker's configuration at start (and again after each continue-as-new): keys may rotate.
  const trust: { keys?: readonly TrustedKey[]; issuer: string } = { issuer: '' };

  setHandler(reserveDeletionUpdate, (request) => governor.reserve(request, Date.now()), {
    description: 'A run asks to delete: granted, or held by the failsafe (common/deletion-failsafe.ts)',
  });
  const check = (arg: unknown) => {
    if (!trust.keys)
      throw ApplicationFailure.nonRetryable('the failsafe is still loading its trusted keys', 'Unavailable');
    const info = workflowInfo();
    const verdict = governor.checkConfirmation(arg, {
      workflowId: info.workflowId,
      runId: info.firstExecutionRunId,
      keys: trust.keys,
      issuer: trust.issuer,
      nowMs: Date.now(),
    });
    if (!verdict.ok) throw ApplicationFailure.nonRetryable(verdict.message, verdict.type);
    return verdict;
  };
  setHandler(
    confirmFailsafeUpdate,
    (arg) => {
      const { claims, reason } = check(arg);
      return governor.confirm(claims, reason, Date.now());
    },
    { validator: (arg) => void check(arg), description: "An admin's signed confirmDeletions for this governor" },
  );
  setHandler(failsafeStatusQuery, () => governor.status(Date.now()));

  const policy = await loadRunPolicy();
  trust.issuer = policy.trust.issuer;
  trust.keys = policy.trust.keys;

  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS);
  await condition(allHandlersFinished);
  await continueAsNew<typeof deletionFailsafe>({ accountId: input.accountId, carried: governor.state });
}
