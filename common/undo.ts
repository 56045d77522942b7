import { defineQuery } from '@temporalio/workflow';
import { type InputProblem } from './errors';
import { type InputContext } from './inputs';
import { checkDurationWithin, PRODUCTION_TIMING } from './timing';
import { type Inventory, type TargetIdentity } from './types';
import { checkTarget, checkText, isNonEmptyText, isValidAccountId, isValidActor, Rules } from './validation';

/**
 * The contract of undo and purge (RAM's recycle bin): what an undo is asked (UndoOffboardingInput), what a completed
 * offboarding tells an undo about its deletion (DeletionRecord, its `deletionRecord` query), what a purge child is
 * given (PurgeFromRecycleBinInput), and their ids. The workflows (workflows/undo-offboarding.ts,
 * workflows/purge-from-recycle-bin.ts), the API and the CLI speak these.
 */

export const UNDO_WORKFLOW = 'undoOffboarding';
export const PURGE_WORKFLOW = 'purgeFromRecycleBin';

export interface UndoOffboardingInput {
  accountId: string;
  /** A RAM user: roles have no recycle bin. */
  target: TargetIdentity;
  /** The Completed offboarding's workflow id (`offboard/<account>/user/<name>`). */
  undoOf: string;
  /** The authenticated admin who asks for the undo (never its approver: four eyes). */
  requestedBy: string;
  requestedByName?: string;
  /** Why (free text, recorded and shown to the approver). */
  reason: string;
  /** How often on-call is reminded while a step is Blocked, and approvers while the undo waits. Default 24h. */
  blockedReminderEvery?: string | number;
  /** The request, signed by the offboarding API for the admin who asked. */
  authorization: string;
}

/** A user's entry in RAM's recycle bin (GetUserInRecycleBin), dates as RAM gives them (ISO-8601). */
export interface RecycleBinEntry {
  uid: string;
  userPrincipalName?: string;
  recycleDate: string;
  /** When RAM itself purges the entry. */
  deleteDate: string;
  requestIds: string[];
}

/** The worker's purge policy (OFFBOARD_RECYCLE_BIN_PURGE): keep (RAM purges at its DeleteDate) or after N days. */
export type RecycleBinPurgePolicy = { kind: 'keep' } | { kind: 'after'; afterMs: number; text: string };

/** When the identity leaves RAM's recycle bin, as the offboarding's final record says it. */
export interface PurgeSchedule {
  policy: 'keep' | 'after';
  /** ISO-8601: RAM's DeleteDate (keep), or RecycleDate + the policy's days (after). */
  purgeAt: string;
  /** The purge child's workflow id (policy after). */
  purgeWorkflowId?: string;
}

/**
 * What a Completed offboarding tells an undo about its deletion: the inventory snapshot it took, the uid it deleted,
 * the access keys its own calls deleted, and when the bin is purged. Answered by its `deletionRecord` query (on the
 * closed run, Temporal replays its history: the structured snapshot exactly as the run used it).
 */
export interface DeletionRecord {
  stage: string;
  target: TargetIdentity;
  uid?: string;
  /** The snapshot taken at Inventory (before quarantine): groups, policies, login profile, grants, keys. */
  inventory?: Omit<Inventory, 'clusters' | 'kubeconfigs'>;
  /** The access keys the run's own DeleteAccessKey calls removed (they went to the recycle bin with the user). */
  deletedAccessKeyIds: string[];
  /** True once the run's DeleteUser/DeleteRole took effect (this run deleted the identity). */
  deletedByRun: boolean;
  purge?: PurgeSchedule;
}

export const deletionRecordQuery = defineQuery<DeletionRecord>('deletionRecord');

/** What the purge child is given by the offboarding that deleted the user. */
export interface PurgeFromRecycleBinInput {
  accountId: string;
  target: TargetIdentity;
  /** The uid the offboarding deleted: only that entry of the bin is purged. */
  uid: string;
  /** How long after the entry's RecycleDate it is purged (the worker's policy at deletion time). */
  purgeAfterMs: number;
  /** The parent's requester and reason, for the board. */
  requestedBy: string;
  requestedByName?: string;
  reason: string;
  /** The parent offboarding's signed request: the child verifies that its parent is the run it was signed for. */
  authorization: string;
}

/** One purge per deleted uid: a second start joins it, and a restored-then-deleted-again uid gets a new run. */
export function purgeWorkflowId(accountId: string, uid: string): string {
  return `purge/${accountId}/${uid}`;
}

/** The checks of an undo's input, field by field (the API, the CLI and the workflow apply the same). */
export function checkUndoInput(input: unknown, ctx: InputContext = {}): InputProblem[] {
  if (!input || typeof input !== 'object') return [{ field: 'input', rule: 'must be an object' }];
  const i = input as Partial<UndoOffboardingInput>;
  const problems: InputProblem[] = [];
  if (!isValidAccountId(i.accountId)) problems.push({ field: 'accountId', rule: Rules.accountId });
  problems.push(
    ...checkTarget(i.target, { field: 'target', accountId: i.accountId, workerIdentity: ctx.workerIdentity }),
  );
  if (i.target?.type === 'role') {
    problems.push({
      field: 'target',
      rule: 'must be a RAM user: RAM keeps deleted users in its recycle bin, but a deleted role is gone for good (nothing to restore)',
    });
  }
  if (typeof i.undoOf !== 'string' || !/^offboard\/\d+\/user\/[^/]+$/.test(i.undoOf)) {
    problems.push({
      field: 'undoOf',
      rule: 'must be the workflow id of an offboarding: offboard/<account>/user/<name>',
    });
  } else if (i.target && i.accountId && i.undoOf !== `offboard/${i.accountId}/user/${i.target.name}`) {
    problems.push({ field: 'undoOf', rule: 'must be the offboarding of the same account and user as target' });
  }
  if (!isValidActor(i.requestedBy)) problems.push({ field: 'requestedBy', rule: Rules.actor });
  problems.push(...checkText(i.requestedByName, 'requestedByName', 200));
  if (!isNonEmptyText(i.reason)) {
    problems.push({
      field: 'reason',
      rule: 'is required: non-empty text of at most 1000 characters, without control or format characters',
    });
  }
  const timing = ctx.timing ?? PRODUCTION_TIMING;
  problems.push(
    ...checkDurationWithin(i.blockedReminderEvery, 'blockedReminderEvery', timing.reminderMinMs, timing.reminderMaxMs),
  );
  return problems;
}
