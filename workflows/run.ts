import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { OffboardActivities } from './activity-types';
import { FailureType } from '../common/errors';
import {
  abortSignal,
  abortUpdate,
  approveDeletionSignal,
  approveDeletionUpdate,
  checkMessage,
  type AbortArgs,
  type MessageAccepted,
  type MessageArgsByName,
  type MessageContext,
  type MessageName,
  type RejectDeletionArgs,
  rejectDeletionSignal,
  rejectDeletionUpdate,
  type RescindArgs,
  rescindSignal,
  rescindUpdate,
  resolveDependenciesSignal,
  resolveDependenciesUpdate,
  retrySignal,
  retryUpdate,
  statusQuery,
} from '../common/messages';
import { SearchAttributes } from '../common/search-attributes';
import { isTerminalStage, OffboardingStage } from '../common/stages';
import {
  type AuditEntry,
  type OffboardIdentityInput,
  type PendingDecision,
  type RevokeKubeconfigInput,
  type RunResult,
  type RunStatus,
} from '../common/types';
import { identityRef, parseDurationMs } from '../common/validation';
import { ACTIVITY_OPTIONS, DEFAULT_ACTIVITY_OPTIONS } from './activity-options';

/**
 * The machinery both workflows share: state and the `status` query, audit trail, stage transitions (search
 * attributes + current details), message handlers, Blocked handling, compensations and the end of a run.
 * A `Run` lives inside one workflow execution (never at module level: the sandbox reuses module state).
 */

type Acts = OffboardActivities;
type ActName = keyof Acts;

/** Thrown to unwind the stages when a run ends early (aborted, rescinded, rejected, expired, already gone). */
export class RunEnded extends Error {
  constructor(
    readonly stage: OffboardingStage,
    readonly outcome: string,
  ) {
    super(outcome);
    this.name = 'RunEnded';
  }
}

export interface Compensation {
  name: string;
  run: () => Promise<void>;
}

const DEFAULT_BLOCKED_REMINDER_MS = 24 * 3_600_000;

function hhmm(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

/** What a failed step tells on-call to do. */
function hintFor(type: string): string {
  switch (type) {
    case FailureType.AccessDenied:
      return "fix the worker's permissions";
    case FailureType.Conflict:
      return 'resolve the conflict on the identity in RAM';
    case FailureType.InvalidInput:
      return 'check the request; abort it if it is wrong';
    case FailureType.CleanTaskFailed:
      return 'check the clean task in the ACK console';
    case FailureType.RevocationNotVerified:
      return 'check the kubeconfigs and RBAC grants left on the clusters';
    default:
      return 'check the Alibaba Cloud service and the worker';
  }
}

/** The type, message and Alibaba code of whatever an activity call threw. */
export function describeFailure(err: unknown): { type: string; message: string; code?: string; operation?: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { code?: string; operation?: string } | undefined;
    return {
      type: cause.type ?? 'ApplicationFailure',
      message: cause.message,
      code: details?.code,
      operation: details?.operation,
    };
  }
  if (cause instanceof TimeoutFailure) {
    return { type: 'Timeout', message: `retries exhausted: ${cause.message}` };
  }
  return { type: FailureType.Unexpected, message: err instanceof Error ? err.message : String(err) };
}

export function failureType(err: unknown): string {
  return describeFailure(err).type;
}

export class Run {
  readonly status: RunStatus;
  readonly compensations: Compensation[] = [];
  private readonly acts = proxyActivities<Acts>(DEFAULT_ACTIVITY_OPTIONS);
  readonly workflowId = workflowInfo().workflowId;
  private deletionStarted = false;
  private stageBeforeBlock: OffboardingStage = OffboardingStage.Inventory;
  private detailsBeforeBlock = '';
  private readonly blockedReminderMs: number;

  // Decisions delivered by updates or signals; the stage code consumes and clears them.
  approval?: { approved: true; actor: string } | ({ approved: false } & RejectDeletionArgs);
  dependencyDecision?: 'proceed' | 'abort';
  rescind?: RescindArgs;
  retryRequested = false;
  abort?: AbortArgs;

  constructor(
    readonly workflow: 'offboardIdentity' | 'revokeKubeconfig',
    readonly input: OffboardIdentityInput | RevokeKubeconfigInput,
  ) {
    this.blockedReminderMs =
      (input.blockedReminderEvery !== undefined ? parseDurationMs(input.blockedReminderEvery) : undefined) ??
      DEFAULT_BLOCKED_REMINDER_MS;
    this.status = {
      workflow,
      stage: OffboardingStage.Inventory,
      pendingDecision: null,
      details: 'Starting',
      accountId: input.accountId,
      target: input.target,
      requestedBy: input.requestedBy,
      reason: input.reason,
      startedAt: new Date().toISOString(),
      admins: [],
      findings: [],
      decisions: [],
      compensations: [],
      deletedSteps: [],
      audit: [],
    };
  }

  get targetRef(): string {
    return identityRef(this.input.target.type, this.input.target.name);
  }

  // ---------------------------------------------------------------- audit, stages, visibility

  audit(
    action: string,
    outcome: AuditEntry['outcome'],
    detail?: string,
    requestIds?: string[],
    actor = 'workflow',
  ): void {
    this.status.audit.push({
      time: new Date().toISOString(),
      actor,
      action,
      target: this.targetRef,
      outcome,
      detail,
      requestIds: requestIds && requestIds.length > 0 ? requestIds : undefined,
    });
  }

  /** Sets the stage (search attribute, UI details) and records the transition. */
  transition(stage: OffboardingStage, details: string, pending: PendingDecision = null): void {
    const from = this.status.stage;
    if (pending !== this.status.pendingDecision || from !== stage) {
      // Workflow time (deterministic): when the wait for a human, if any, began.
      this.status.pendingSince = pending ? new Date().toISOString() : undefined;
    }
    this.status.stage = stage;
    this.status.pendingDecision = pending;
    this.setDetails(details);
    const attrs: Array<{ key: typeof SearchAttributes.stage; value: string }> = [
      { key: SearchAttributes.stage, value: stage },
    ];
    if (this.status.uid) attrs.push({ key: SearchAttributes.uid, value: this.status.uid });
    upsertSearchAttributes(attrs);
    if (from !== stage) this.audit(`stage ${from} → ${stage}`, 'info', details);
  }

  setDetails(details: string): void {
    this.status.details = details;
    setCurrentDetails(details);
  }

  setUid(uid: string): void {
    this.status.uid = uid;
    upsertSearchAttributes([{ key: SearchAttributes.uid, value: uid }]);
  }

  // ---------------------------------------------------------------- activities

  /** Calls an activity with its options from the one table, and a summary shown in the UI. */
  act<K extends ActName>(
    name: K,
    summary: string,
    ...args: Parameters<Acts[K]>
  ): Promise<Awaited<ReturnType<Acts[K]>>> {
    const fn = this.acts[name] as unknown as {
      executeWithOptions(options: object, args: unknown[]): Promise<Awaited<ReturnType<Acts[K]>>>;
    };
    return fn.executeWithOptions({ ...ACTIVITY_OPTIONS[name], summary: summary.slice(0, 200) }, args);
  }

  /** Notifications never hold a run: a failure is recorded and the run goes on. */
  async notify(event: Parameters<Acts['notify']>[0]['event'], subject: string, text: string): Promise<void> {
    try {
      await this.act('notify', `Notify: ${subject}`, { event, workflowId: this.workflowId, subject, text });
    } catch (err) {
      if (isCancellation(err)) throw err;
      this.audit(`notify ${event}`, 'error', describeFailure(err).message);
    }
  }

  // ---------------------------------------------------------------- messages

  messageContext(): MessageContext {
    return {
      workflow: this.workflow,
      stage: this.status.stage,
      pendingDecision: this.status.pendingDecision,
      requestedBy: this.input.requestedBy,
      admins: this.status.admins,
      deletionStarted: this.deletionStarted,
    };
  }

  /** Applies an accepted message to the state. Runs in the update handler or the signal handler. */
  private apply<N extends MessageName>(name: N, args: MessageArgsByName[N], via: 'update' | 'signal'): MessageAccepted {
    const time = new Date().toISOString();
    const a = args as MessageArgsByName[MessageName];
    const reason = 'reason' in a ? a.reason : undefined;
    switch (name) {
      case 'approveDeletion':
        this.approval = { approved: true, actor: a.actor };
        this.status.pendingDecision = null;
        break;
      case 'rejectDeletion':
        this.approval = { approved: false, ...(a as RejectDeletionArgs) };
        this.status.pendingDecision = null;
        break;
      case 'resolveDependencies':
        this.dependencyDecision = (a as MessageArgsByName['resolveDependencies']).decision;
        this.status.pendingDecision = null;
        break;
      case 'rescind':
        this.rescind = a as RescindArgs;
        break;
      case 'retry':
        this.retryRequested = true;
        this.status.pendingDecision = null;
        break;
      case 'abort':
        this.abort = a as AbortArgs;
        this.status.pendingDecision = null;
        break;
    }
    const detail =
      name === 'resolveDependencies'
        ? `decision=${(a as MessageArgsByName['resolveDependencies']).decision}`
        : name === 'rejectDeletion'
          ? `restoreAccess=${(a as RejectDeletionArgs).restoreAccess}`
          : name === 'abort'
            ? `restoreAccess=${(a as AbortArgs).restoreAccess ?? false}`
            : undefined;
    this.status.decisions.push({
      kind: name,
      actor: a.actor,
      time,
      reason: typeof reason === 'string' ? reason : undefined,
      detail,
    });
    this.audit(`${name} (${via})`, 'ok', [detail, reason].filter(Boolean).join('; ') || undefined, undefined, a.actor);
    return { accepted: true, stage: this.status.stage, message: `${name} by ${a.actor} accepted` };
  }

  /** Registers every update and signal, and the status query. Call synchronously at the start of the workflow. */
  registerHandlers(): void {
    const pairs = [
      ['approveDeletion', approveDeletionUpdate, approveDeletionSignal],
      ['rejectDeletion', rejectDeletionUpdate, rejectDeletionSignal],
      ['resolveDependencies', resolveDependenciesUpdate, resolveDependenciesSignal],
      ['rescind', rescindUpdate, rescindSignal],
      ['retry', retryUpdate, retrySignal],
      ['abort', abortUpdate, abortSignal],
    ] as const;
    for (const [name, update, signal] of pairs) {
      setHandler(
        update as typeof retryUpdate,
        (args) => this.apply(name, args as MessageArgsByName[typeof name], 'update'),
        {
          validator: (args) => {
            const refusal = checkMessage(name, args as MessageArgsByName[typeof name], this.messageContext());
            if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
          },
          description: `${name}: see common/messages.ts for its rules`,
        },
      );
      setHandler(signal as typeof retrySignal, (args) => {
        const refusal = checkMessage(name, args as MessageArgsByName[typeof name], this.messageContext());
        if (refusal) {
          // A refused signal changes nothing; it is only recorded.
          const actor =
            typeof (args as { actor?: unknown } | undefined)?.actor === 'string'
              ? (args as { actor: string }).actor
              : 'unknown';
          this.audit(
            `${name} (signal)`,
            'refused',
            `${refusal.type}: ${refusal.message}`,
            undefined,
            actor.slice(0, 128),
          );
          return;
        }
        this.apply(name, args as MessageArgsByName[typeof name], 'signal');
      });
    }
    setHandler(statusQuery, () => ({ ...this.status, compensations: this.compensations.map((c) => c.name) }));
  }

  // ---------------------------------------------------------------- interruptions and Blocked

  /** Rescind ends the run (with compensation) at the next step boundary, as long as Deletion has not begun. */
  async checkRescind(): Promise<void> {
    if (!this.rescind || this.deletionStarted) return;
    const r = this.rescind;
    await this.compensate(`rescinded by ${r.actor}: ${r.reason}`);
    throw new RunEnded(OffboardingStage.Rescinded, `rescinded by ${r.actor}: ${r.reason}; access restored`);
  }

  /**
   * Runs one step. A failure that a retry cannot fix (non-retryable type, or retries exhausted) moves the run to
   * Blocked: recorded, notified, and the step runs again on `retry` or the run ends on `abort`. `handle` lets a
   * stage take some failure types itself (the 7-day refusal is a dependency finding, not a block).
   */
  async step<T>(
    name: string,
    fn: () => Promise<T>,
    options: { interruptible?: boolean; handle?: (type: string) => boolean } = {},
  ): Promise<T> {
    const interruptible = options.interruptible ?? true;
    for (;;) {
      if (interruptible) await this.checkRescind();
      try {
        const result = await fn();
        if (interruptible) await this.checkRescind();
        return result;
      } catch (err) {
        if (isCancellation(err) || err instanceof RunEnded) throw err;
        const failure = describeFailure(err);
        if (options.handle?.(failure.type)) throw err;
        await this.block(name, failure, interruptible);
      }
    }
  }

  /**
   * Waits on durable timers until `done()` holds (true), the deadline passes (false), or a rescind arrives (the
   * rescind is carried out and the run ends). Reminders go out every `reminderMs` while waiting.
   */
  async waitFor(
    done: () => boolean,
    what: string,
    options: { deadlineMs?: number; reminderMs?: number; remind?: () => Promise<void> } = {},
  ): Promise<boolean> {
    const reminderMs = options.reminderMs ?? this.blockedReminderMs;
    for (;;) {
      const now = Date.now();
      if (options.deadlineMs !== undefined && now >= options.deadlineMs) return done();
      const timeout = options.deadlineMs !== undefined ? Math.min(reminderMs, options.deadlineMs - now) : reminderMs;
      const woke = await condition(() => done() || (this.rescind !== undefined && !this.deletionStarted), timeout);
      if (woke) {
        if (done()) return true;
        await this.checkRescind();
      } else if (options.deadlineMs === undefined || Date.now() < options.deadlineMs) {
        if (options.remind) await options.remind();
        else await this.notify('blocked', `${this.targetRef}: still waiting for ${what}`, this.status.details);
      }
    }
  }

  private async block(
    step: string,
    failure: { type: string; message: string; code?: string; operation?: string },
    interruptible: boolean,
  ): Promise<void> {
    const since = new Date().toISOString();
    this.stageBeforeBlock = this.status.stage;
    this.detailsBeforeBlock = this.status.details;
    this.status.blocked = { step, failureType: failure.type, message: failure.message, since };
    this.retryRequested = false;
    this.abort = undefined;
    // Name the Alibaba operation that failed, so on-call knows which permission or object to look at.
    const what = `${step}${failure.operation ? `: ${failure.operation}` : ''} ${failure.type === FailureType.AccessDenied ? 'denied' : 'failed'} (${failure.code ?? failure.type})`;
    const details = `Blocked since ${hhmm(since)}: ${what} — ${hintFor(failure.type)}, then \`offboard retry ${this.workflowId} --as ADMIN\` (or \`offboard abort ${this.workflowId} --as ADMIN --reason …\`)`;
    this.transition(OffboardingStage.Blocked, details, 'blocked');
    this.audit(`${step} blocked`, 'error', `${failure.type}: ${failure.message}`);
    await this.notify('blocked', `${this.targetRef} blocked at ${step}`, `${what}: ${failure.message}`);
    for (;;) {
      const woke = await condition(
        () =>
          this.retryRequested ||
          this.abort !== undefined ||
          (interruptible && this.rescind !== undefined && !this.deletionStarted),
        this.blockedReminderMs,
      );
      if (woke) break;
      await this.notify('blocked', `${this.targetRef} still blocked at ${step}`, details);
    }
    this.status.blocked = undefined;
    const a = this.abort as AbortArgs | undefined; // set by a handler while we waited (TS cannot see that)
    if (a) {
      if (a.restoreAccess) await this.compensate(`aborted by ${a.actor}: ${a.reason}`);
      throw new RunEnded(
        OffboardingStage.Aborted,
        `aborted by ${a.actor} at ${step}: ${a.reason}${a.restoreAccess ? '; access restored' : ''}`,
      );
    }
    if (this.retryRequested) {
      this.retryRequested = false;
      this.transition(this.stageBeforeBlock, `Retrying ${step}: ${this.detailsBeforeBlock}`);
      return;
    }
    // Rescinded while blocked: the loop in step() runs checkRescind next.
    this.transition(this.stageBeforeBlock, this.detailsBeforeBlock);
  }

  // ---------------------------------------------------------------- compensation

  register(compensation: Compensation): void {
    this.compensations.push(compensation);
    this.status.compensations = this.compensations.map((c) => c.name);
  }

  /**
   * Runs the registered compensations in reverse order, in a non-cancellable scope: once started, access comes back
   * even if the run is cancelled. A compensation that fails non-retryably blocks like any step (retry or abort).
   */
  async compensate(why: string): Promise<void> {
    if (this.compensations.length === 0) {
      this.audit('compensation', 'info', `${why}: nothing to undo`);
      return;
    }
    await CancellationScope.nonCancellable(async () => {
      this.transition(
        OffboardingStage.Restoring,
        `Restoring access (${why}): ${this.compensations.length} step(s) in reverse order`,
      );
      while (this.compensations.length > 0) {
        const c = this.compensations[this.compensations.length - 1];
        await this.step(`undo: ${c.name}`, c.run, { interruptible: false });
        this.compensations.pop();
        this.status.compensations = this.compensations.map((x) => x.name);
        this.audit(`undo: ${c.name}`, 'ok');
      }
    });
    await this.notify('restored', `${this.targetRef}: access restored`, why);
  }

  /** The approval decision a handler recorded, if any (a method, so TS does not narrow it away across awaits). */
  currentApproval(): Run['approval'] {
    return this.approval;
  }

  /** The admin's resolveDependencies decision, cleared once taken. */
  takeDependencyDecision(): 'proceed' | 'abort' {
    const d = this.dependencyDecision ?? 'abort';
    this.dependencyDecision = undefined;
    return d;
  }

  markDeletionStarted(): void {
    this.deletionStarted = true;
  }

  // ---------------------------------------------------------------- end of a run

  /** Records the end, writes the audit record (non-cancellable), and returns the run's result. */
  async finish(stage: OffboardingStage, outcome: string): Promise<RunResult> {
    this.status.outcome = outcome;
    this.transition(stage, outcome);
    return CancellationScope.nonCancellable(async () => {
      let auditRecordPath: string | undefined;
      try {
        auditRecordPath = await this.act('writeAuditRecord', 'Write the audit record', {
          workflowId: this.workflowId,
          runId: workflowInfo().runId,
          workflow: this.workflow,
          stage,
          outcome,
          entries: this.status.audit,
        });
      } catch (err) {
        this.audit('write audit record', 'error', describeFailure(err).message);
      }
      if (stage !== OffboardingStage.Cancelled) await this.notify('finished', `${this.targetRef}: ${stage}`, outcome);
      await condition(allHandlersFinished); // let in-flight update handlers answer before the run closes
      return { stage, outcome, uid: this.status.uid, audit: this.status.audit, auditRecordPath };
    });
  }

  /**
   * Runs the stages and turns every way a run can end into its end state: RunEnded → its stage; cancellation →
   * Cancelled (access is not restored) and the cancellation is reported; anything else fails the run.
   */
  async main(stages: () => Promise<RunResult>): Promise<RunResult> {
    try {
      return await stages();
    } catch (err) {
      if (err instanceof RunEnded) return this.finish(err.stage, err.outcome);
      if (isCancellation(err) && !isTerminalStage(this.status.stage)) {
        await this.finish(
          OffboardingStage.Cancelled,
          `cancelled in stage ${this.status.stage}; access was not restored`,
        );
      }
      throw err;
    }
  }
}
