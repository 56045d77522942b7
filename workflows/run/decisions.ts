import {
  type AbortArgs,
  type ApproveDeletionArgs,
  type ApproveUndoArgs,
  type ConfirmDeletionsArgs,
  type RejectDeletionArgs,
  type RejectUndoArgs,
  type RescindArgs,
  type VerifiedDecision,
} from '../../common/messages';

/** Who made a decision, from its verified token. */
export interface Decider {
  subject: string;
  name: string;
}

/** "Carol (carol)": how a decider is named in outcomes and the audit trail. */
export function describeDecider(d: Decider): string {
  return d.name && d.name !== d.subject ? `${d.name} (${d.subject})` : d.subject;
}

/** An admin's answer to "approve deletion?", as the approval step takes it. */
export type ApprovalDecision = { by: Decider } & (
  ({ approved: true } & ApproveDeletionArgs) | ({ approved: false } & RejectDeletionArgs)
);

/** A second admin's answer to "restore this user from RAM's recycle bin?" (an undo run). */
export type UndoApproval = { by: Decider } & (
  ({ approved: true } & ApproveUndoArgs) | ({ approved: false } & RejectUndoArgs)
);

/** What an admin decided for a Blocked step. */
export type BlockedDecision = { kind: 'retry' } | { kind: 'abort'; by: Decider; args: AbortArgs };

export type RescindRequest = RescindArgs & { by: Decider };

/** A second admin's confirmation that a run held by the blast-radius failsafe may delete, with its token. */
export type FailsafeConfirmation = ConfirmDeletionsArgs & { by: Decider; token: string };

function deciderOf(d: VerifiedDecision): Decider {
  return { subject: d.claims.sub, name: d.claims.name };
}

/**
 * The decisions people send to a run. The message handlers put a decision here once its signed token and its rules
 * passed (common/messages.ts); the story takes it with a `take…()` method, which also clears it, so nothing outside
 * resets a decision. `has…()` are the conditions the story waits on.
 */
export class Decisions {
  private approval?: ApprovalDecision;
  private undoApproval?: UndoApproval;
  private dependency?: 'proceed' | 'abort';
  private rescindRequest?: RescindRequest;
  private retry = false;
  private abortRequest?: { by: Decider; args: AbortArgs };
  private rescindWindowOpen = true;
  private failsafeConfirmation?: FailsafeConfirmation;

  /** Records an accepted decision. Called only by the handlers, after the rules accepted it. */
  accept(decision: VerifiedDecision): void {
    const by = deciderOf(decision);
    switch (decision.name) {
      case 'approveDeletion':
        this.approval = { by, approved: true, ...decision.args };
        break;
      case 'rejectDeletion':
        this.approval = { by, approved: false, ...decision.args };
        break;
      case 'resolveDependencies':
        this.dependency = decision.args.decision;
        break;
      case 'rescind':
        this.rescindRequest = { by, ...decision.args };
        break;
      case 'retry':
        this.retry = true;
        break;
      case 'abort':
        this.abortRequest = { by, args: decision.args };
        break;
      case 'approveUndo':
        this.undoApproval = { by, approved: true, ...decision.args };
        break;
      case 'rejectUndo':
        this.undoApproval = { by, approved: false, ...decision.args };
        break;
      case 'confirmDeletions':
        this.failsafeConfirmation = { by, ...decision.args, token: decision.token };
        break;
    }
  }

  hasFailsafeConfirmation(): boolean {
    return this.failsafeConfirmation !== undefined;
  }

  takeFailsafeConfirmation(): FailsafeConfirmation | undefined {
    const c = this.failsafeConfirmation;
    this.failsafeConfirmation = undefined;
    return c;
  }
  hasApproval(): boolean {
    return this.approval !== undefined;
  }

  takeApproval(): ApprovalDecision | undefined {
    const a = this.approval;
    this.approval = undefined;
    return a;
  }

  hasUndoApproval(): boolean {
    return this.undoApproval !== undefined;
  }

  takeUndoApproval(): UndoApproval | undefined {
    const a = this.undoApproval;
    this.undoApproval = undefined;
    return a;
  }

  hasDependencyDecision(): boolean {
    return this.dependency !== undefined;
  }

  /** The admin's resolveDependencies decision; none (a rescind ended the wait) counts as abort. */
  takeDependencyDecision(): 'proceed' | 'abort' {
    const d = this.dependency ?? 'abort';
    this.dependency = undefined;
    return d;
  }

  hasBlockedDecision(): boolean {
    return this.retry || this.abortRequest !== undefined;
  }

  /** Abort wins over retry when both arrived. */
  takeBlockedDecision(): BlockedDecision | undefined {
    const abort = this.abortRequest;
    const retry = this.retry;
    this.abortRequest = undefined;
    this.retry = false;
    if (abort) return { kind: 'abort', ...abort };
    return retry ? { kind: 'retry' } : undefined;
  }

  /** A rescind that the run must still carry out: HR asked, and Deletion has not begun. */
  pendingRescind(): RescindRequest | undefined {
    return this.rescindWindowOpen ? this.rescindRequest : undefined;
  }

  /** Deletion begins: from now on a rescind is neither accepted nor carried out. */
  closeRescindWindow(): void {
    this.rescindWindowOpen = false;
  }

  get deletionStarted(): boolean {
    return !this.rescindWindowOpen;
  }
}
