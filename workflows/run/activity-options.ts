import { type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { nonRetryableFailureTypes } from '../../common/errors';
import type { OffboardActivities } from '../../activities/types';

/**
 * Every activity's timeouts and retry policy, in one place.
 *
 * - Transient failures (Throttled, Unavailable: throttling, 5xx, timeouts, dropped connections) are retried by
 *   Temporal with exponential backoff — never by hand-written loops — and every policy is bounded by a
 *   schedule-to-close timeout: when it runs out the workflow sees a timeout and moves to Blocked, so nothing retries
 *   forever.
 * - Non-retryable types (AccessDenied, Conflict, InvalidInput, RecentClusterAccess, ...) are listed explicitly as
 *   well as being thrown `nonRetryable`, so that a failure from an older worker is not retried either.
 * - Heartbeat timeouts let the server notice a dead worker within seconds (activities heartbeat every second while an
 *   SDK call runs), instead of waiting for the whole start-to-close timeout.
 */
const nonRetryableErrorTypes = [...nonRetryableFailureTypes];

/** One Alibaba Cloud API call (or a few reads). SDK timeouts are 5 s connect / 10 s read. */
const api: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '5s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '20s', nonRetryableErrorTypes },
};

/** Inventory and deletion planning: many reads in one attempt. */
const reads: ActivityOptions = { ...api, startToCloseTimeout: '2m' };

/** Polling the asynchronous clean task: CleanTaskPending is the retryable "not yet". */
const cleanTaskPoll: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '5s',
  scheduleToCloseTimeout: '15m',
  retry: { initialInterval: '300ms', backoffCoefficient: 1.5, maximumInterval: '10s', nonRetryableErrorTypes },
};

/** Verification reads: a few tries for eventual consistency, then Blocked with what is left. */
const verification: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '5s',
  scheduleToCloseTimeout: '5m',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '15s',
    maximumAttempts: 8,
    nonRetryableErrorTypes,
  },
};

/**
 * The sweep's scan: thousands of reads in one attempt (clusters × pages, the directory, per-user checks). Each SDK
 * call heartbeats, so a dead worker is noticed in 30 s and another reads again from the start (reads change nothing).
 */
const sweepScan: ActivityOptions = {
  startToCloseTimeout: '2h',
  heartbeatTimeout: '30s',
  scheduleToCloseTimeout: '6h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes },
};

/** Notifications must not hold a run: a few tries, then the workflow records the failure and goes on. */
const notification: ActivityOptions = {
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 5 },
};

/** Reading the worker's configuration. (The audit append is a local activity: workflows/run/audit-outbox.ts.) */
const local: ActivityOptions = {
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '20s' },
};

/** Activities a run calls through RunActivities; the audit append is the outbox's own local activity. */
export type ActivityName = Exclude<keyof OffboardActivities, 'appendAudit'>;

export const ACTIVITY_OPTIONS: Record<ActivityName, ActivityOptions> = {
  loadRunPolicy: local,
  inventoryIdentity: reads,
  planIdentity: reads,
  resolveIdentity: reads,
  listClusters: reads,
  checkDependencies: reads,
  deactivateAccessKey: api,
  activateAccessKey: api,
  blockConsoleLogin: api,
  restoreConsoleLogin: api,
  attachDenyPolicy: api,
  detachDenyPolicy: api,
  lockTrustPolicy: api,
  restoreTrustPolicy: api,
  cleanPermissions: api,
  awaitCleanTask: cleanTaskPoll,
  verifyRevocation: verification,
  regrantPermissions: api,
  checkBeforeDeletion: reads,
  planDeletion: reads,
  deleteAccessKey: api,
  removeUserFromGroup: api,
  detachPolicy: api,
  deleteLoginProfile: api,
  unbindMfaDevice: api,
  deleteIdentity: api,
  // An update on the account's failsafe governor (a workflow, no heartbeat): retried until it answers, then Blocked.
  reserveDeletion: local,
  notify: notification,
  // Undo and purge (RAM's recycle bin)
  readRecycleBinEntry: api,
  readOffboardingRecord: reads,
  lookUpLiveUser: api,
  restoreUserFromRecycleBin: api,
  restoreAccessKeyFromRecycleBin: api,
  addUserToGroup: api,
  attachPolicyToUser: api,
  purgeUserFromRecycleBin: reads,
  scanForOrphans: sweepScan,
  confirmGone: reads,
  openSweeps: reads,
};

/** A local activity's options: the same timeouts and retries, without the heartbeat a local activity cannot send. */
function asLocal({ heartbeatTimeout: _heartbeat, ...options }: ActivityOptions): LocalActivityOptions {
  return options;
}

/**
 * The calls a run makes as local activities (since the `local-activities` patch): everything up to the approval —
 * reads, the reversible quarantine cuts, the clean, the verification, the notification. They run
 * in the worker that runs the workflow task, and the history keeps one marker per call instead of an activity task's
 * three events and the workflow task that follows; the server dispatches no task for them. That is where a bulk
 * offboarding's server CPU went (issue 12). Each is idempotent, as every activity is: a worker that dies mid-task
 * replays the task and runs the call again. What stays an activity on the task queue: the deletion's irreversible
 * calls and the undo steps (on-call sees them pending, with their attempts, in the Temporal UI); the sweep's
 * activities; and the inventory, whose scheduling ends the first workflow task, so the snapshot is in the history
 * before the first change (a worker that dies in the next task replays it, and its undo steps still restore what the
 * identity had, not what a second look after the quarantine would see). A clean task is looked for locally for a few
 * seconds and followed on the task queue when it takes longer (workflows/run/clean-task.ts). A local activity retries
 * in the worker; a backoff longer than a minute becomes a timer.
 */
export const LOCAL_ACTIVITY_OPTIONS: Partial<Record<ActivityName, LocalActivityOptions>> = {
  loadRunPolicy: asLocal(local),
  planIdentity: asLocal(reads),
  resolveIdentity: asLocal(reads),
  listClusters: asLocal(reads),
  checkDependencies: asLocal(reads),
  deactivateAccessKey: asLocal(api),
  blockConsoleLogin: asLocal(api),
  attachDenyPolicy: asLocal(api),
  lockTrustPolicy: asLocal(api),
  cleanPermissions: asLocal(api),
  // One attempt: a transient failure, like a task still running after the quick look, goes to the task queue.
  awaitCleanTask: { ...asLocal(cleanTaskPoll), startToCloseTimeout: '15s', retry: { maximumAttempts: 1 } },
  verifyRevocation: asLocal(verification),
  checkBeforeDeletion: asLocal(reads),
  planDeletion: asLocal(reads),
  notify: asLocal(notification),
};

/** The proxies' own options are never used as is: every call goes through `executeWithOptions` with the tables above. */
export const DEFAULT_ACTIVITY_OPTIONS = api;
export const DEFAULT_LOCAL_ACTIVITY_OPTIONS = asLocal(api);
