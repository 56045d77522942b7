import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { SearchAttributes } from '../../common/search-attributes';
import { OffboardingStage } from '../../common/stages';
import { type AuditEntry, type PendingDecision, type RunStatus } from '../../common/types';
import { type RunInput } from './run-input';
import { identityRef } from '../../common/validation';

/**
 * What a run shows: the `status` query's answer, the audit trail, the stage (search attribute `OffboardingStage`) and
 * the live details line of the Temporal UI. Every stage change goes through `transition`, so the three never disagree.
 */
type KeywordUpdate = { key: typeof SearchAttributes.stage | typeof SearchAttributes.uid; value: string };

export class RunBoard {
  readonly status: RunStatus;
  readonly targetRef: string;
  /**
   * Search attributes are written once per workflow task (since the `local-activities` patch): a run goes through
   * several stages inside one task, and each upsert is an event while only the last value reaches visibility. Until
   * `flushSearchAttributes` (the run's task boundaries: a call on the task queue, a wait, the end), they are held here.
   */
  deferSearchAttributes = false;
  private readonly heldAttributes = new Map<string, KeywordUpdate>();

  constructor(workflow: RunStatus['workflow'], input: RunInput) {
    this.targetRef = identityRef(input.target.type, input.target.name);
    this.status = {
      workflow,
      stage: OffboardingStage.Inventory,
      pendingDecision: null,
      details: 'Starting',
      accountId: input.accountId,
      target: input.target,
      requestedBy: input.requestedBy,
      requestedByName: input.requestedByName,
      reason: input.reason,
      ticket: 'ticket' in input ? input.ticket : undefined,
      startedAt: new Date().toISOString(),
      trustedKeyIds: [],
      findings: [],
      decisions: [],
      compensations: [],
      deletedSteps: [],
      audit: [],
    };
  }

  get stage(): OffboardingStage {
    return this.status.stage;
  }

  /**
   * Appends to the audit trail (workflow time, so replay writes the same entries). `by` names the person who acted
   * (their authenticated subject) and the signed token that proves it; without it the actor is the workflow.
   */
  audit(
    action: string,
    outcome: AuditEntry['outcome'],
    detail?: string,
    requestIds?: string[],
    by?: { actor: string; token?: string },
  ): void {
    this.status.audit.push({
      time: new Date().toISOString(),
      actor: by?.actor ?? 'workflow',
      action,
      target: this.targetRef,
      outcome,
      detail,
      requestIds: requestIds && requestIds.length > 0 ? requestIds : undefined,
      token: by?.token,
    });
  }

  /** Sets the stage (search attribute, UI details), what the run waits for, and records the transition. */
  transition(stage: OffboardingStage, details: string, pending: PendingDecision = null): void {
    const from = this.status.stage;
    if (pending !== this.status.pendingDecision || from !== stage) {
      // Workflow time (deterministic): when the wait for a human, if any, began.
      this.status.pendingSince = pending ? new Date().toISOString() : undefined;
    }
    this.status.stage = stage;
    this.status.pendingDecision = pending;
    this.setDetails(details);
    const attrs: KeywordUpdate[] = [{ key: SearchAttributes.stage, value: stage }];
    if (this.status.uid) attrs.push({ key: SearchAttributes.uid, value: this.status.uid });
    this.upsert(attrs);
    if (from !== stage) this.audit(`stage ${from} → ${stage}`, 'info', details);
  }

  /** The one-line "what is this run doing" of the status query and the Temporal UI's Current Details. */
  setDetails(details: string): void {
    this.status.details = details;
    setCurrentDetails(details);
  }

  /** The identity's RAM id, once known: on the status and in the `OffboardingUid` search attribute. */
  setUid(uid: string): void {
    this.status.uid = uid;
    this.upsert([{ key: SearchAttributes.uid, value: uid }]);
  }

  /** Writes the held search attributes, if any, in one upsert. */
  flushSearchAttributes(): void {
    if (this.heldAttributes.size === 0) return;
    upsertSearchAttributes([...this.heldAttributes.values()]);
    this.heldAttributes.clear();
  }

  private upsert(attrs: KeywordUpdate[]): void {
    if (!this.deferSearchAttributes) {
      upsertSearchAttributes(attrs);
      return;
    }
    for (const a of attrs) this.heldAttributes.set(a.key.name, a);
  }
}
