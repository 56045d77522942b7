import { patched, workflowInfo } from '@temporalio/workflow';
import { type RunResult, type RunStatus } from '../../common/types';
import { type RunInput } from './run-input';
import { type RecycleBinPurgePolicy } from '../../common/undo';
import { readRunMemo, type RunMemo } from '../../common/run-memo';
import { clampMs, PRODUCTION_TIMING, type TimingBounds } from '../../common/timing';
import { parseDurationMs } from '../../common/validation';
import { RunActivities } from './activities';
import { AuditOutbox } from './audit-outbox';
import { step, type StepOptions, waitFor, type WaitOptions } from './blocking';
import { CleanTaskInFlight } from './clean-task';
import { type Compensation, Compensations } from './compensation';
import { Decisions } from './decisions';
import { finish, runStages } from './ending';
import { registerMessageHandlers } from './messages';
import { RunBoard } from './status';
import { RunTrust } from './trust';
import { type OffboardingStage } from '../../common/stages';

const DEFAULT_BLOCKED_REMINDER_MS = 24 * 3_600_000;

/**
 * One run of a workflow, as its stages see it. Each concern lives in its own module — what the run shows
 * (status.ts), its activities (activities.ts), its audit trail outside Temporal (audit-outbox.ts), the decisions
 * people send (decisions.ts, messages.ts), what it trusts (trust.ts), steps and Blocked (blocking.ts), undo steps
 * (compensation.ts), the clean task in flight (clean-task.ts) and how it ends (ending.ts) — and `Run` puts them
 * together.
 * A `Run` lives inside one workflow execution (never at module level: the sandbox reuses module state).
 */
export class Run {
  readonly workflowId = workflowInfo().workflowId;
  /** What the start helper recorded with the run (unsigned: see common/run-memo.ts for what it may be used for). */
  readonly memo: RunMemo = readRunMemo(workflowInfo().memo);
  readonly board: RunBoard;
  readonly activities: RunActivities;
  /** The audit trail outside Temporal, written at the run's boundaries. */
  readonly outbox: AuditOutbox;
  readonly decisions = new Decisions();
  readonly trust = new RunTrust();
  readonly compensations: Compensations;
  /** The clean task started and not yet seen to end: undoing revocation waits for it (clean-task.ts). */
  readonly cleanTask = new CleanTaskInFlight();
  /** The worker's bounds on durations and dates; production's until the run policy is loaded. */
  timing: TimingBounds = PRODUCTION_TIMING;
  /** What happens to a user this run deletes, in RAM's recycle bin (the worker's policy; keep until it is loaded). */
  recycleBinPurge: RecycleBinPurgePolicy = { kind: 'keep' };
  /** Calls an activity with its options from the one table (see activities.ts). */
  readonly act: RunActivities['call'];

  constructor(
    readonly workflow: RunStatus['workflow'],
    readonly input: RunInput,
  ) {
    this.board = new RunBoard(workflow, input);
    this.outbox = new AuditOutbox(this.board);
    // Runs started before this patch keep their activities on the task queue and an upsert per stage, as their
    // histories say; newer runs call the pre-approval steps locally and write search attributes once per task.
    const cheaper = patched('local-activities');
    this.board.deferSearchAttributes = cheaper;
    this.activities = new RunActivities(this.board, this.workflowId, { flush: () => this.atBoundary() }, cheaper);
    this.act = this.activities.call.bind(this.activities);
    this.compensations = new Compensations((names) => (this.board.status.compensations = names));
    registerMessageHandlers({
      board: this.board,
      decisions: this.decisions,
      trust: this.trust,
      target: input.target,
      compensationNames: () => this.compensations.names(),
    });
  }

  /** How often a Blocked run reminds on-call: the input's choice, within the bounds (clamped again here). */
  get blockedReminderMs(): number {
    const given = 'blockedReminderEvery' in this.input ? this.input.blockedReminderEvery : undefined;
    const ms = (given !== undefined ? parseDurationMs(given) : undefined) ?? DEFAULT_BLOCKED_REMINDER_MS;
    return clampMs(ms, this.timing.reminderMinMs, this.timing.reminderMaxMs);
  }

  get targetRef(): string {
    return this.board.targetRef;
  }

  /**
   * Where the workflow task may end (a call on the task queue, a wait, the end): the held search attributes and the
   * audit entries made so far leave the run. `last` waits longer for the audit sink (the run is ending).
   */
  atBoundary(last = false): Promise<void> {
    this.board.flushSearchAttributes();
    return this.outbox.flush(last);
  }

  /** Runs the story; every way it ends becomes the run's result (see ending.ts). */
  main(stages: () => Promise<RunResult>): Promise<RunResult> {
    return runStages(this, stages);
  }

  /** The end the story reaches itself. */
  finish(stage: OffboardingStage, outcome: string): Promise<RunResult> {
    return finish(this, stage, outcome);
  }

  /** One step: a failure a retry cannot fix moves the run to Blocked (see blocking.ts). */
  step<T>(name: string, fn: () => Promise<T>, options?: StepOptions): Promise<T> {
    return step(this, name, fn, options);
  }

  /** Waits for a human (or a time), with reminders; a rescind is carried out meanwhile. */
  waitFor(done: () => boolean, what: string, options?: WaitOptions): Promise<boolean> {
    return waitFor(this, done, what, options);
  }

  /** Registers the undo of a change the run is about to make. */
  register(compensation: Compensation): void {
    this.compensations.register(compensation);
  }

  /** Runs the registered undo steps in reverse order. */
  compensate(why: string): Promise<void> {
    return this.compensations.undoAll(this, why);
  }
}
