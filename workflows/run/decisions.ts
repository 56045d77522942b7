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
import { Pending } from './pending';

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
 * passed (common/messages.ts), through `accept`; the story waits until a slot `has()` one and `take()`s it, which
 * also clears it (pending.ts). Only `accept` puts.
 */
export class Decisions {
  readonly approval = new Pending<ApprovalDecision>();
  readonly undoApproval = new Pending<UndoApproval>();
  /** The admin's resolveDependencies decision. */
  readonly dependency = new Pending<'proceed' | 'abort'>();
  readonly failsafeConfirmation = new Pending<FailsafeConfirmation>();
  // A Blocked step's two answers are kept apart because abort wins over retry whatever their order (takeBlockedDecision).
  private readonly retry = new Pending<true>();
  private readonly abortRequest = new Pending<{ by: Decider; args: AbortArgs }>();
  private rescindRequest?: RescindRequest;
  private rescindWindowOpen = true;

  /** Records an accepted decision. Called only by the handlers, after the rules accepted it. */
  accept(decision: VerifiedDecision): void {
    const by = deciderOf(decision);
    switch (decision.name) {
      case 'approveDeletion':
        this.approval.put({ by, approved: true, ...decision.args });
        break;
      case 'rejectDeletion':
        this.approval.put({ by, approved: false, ...decision.args });
        break;
      case 'resolveDependencies':
        this.dependency.put(decision.args.decision);
        break;
      case 'rescind':
        this.rescindRequest = { by, ...decision.args };
        break;
      case 'retry':
        this.retry.put(true);
        break;
      case 'abort':
        this.abortRequest.put({ by, args: decision.args });
        break;
      case 'approveUndo':
        this.undoApproval.put({ by, approved: true, ...decision.args });
        break;
      case 'rejectUndo':
        this.undoApproval.put({ by, approved: false, ...decision.args });
        break;
      case 'confirmDeletions':
        this.failsafeConfirmation.put({ by, ...decision.args, token: decision.token });
        break;
    }
  }

  hasBlockedDecision(): boolean {
    return this.retry.has() || this.abortRequest.has();
  }

  /** Abort wins over retry when both arrived; both are cleared. */
  takeBlockedDecision(): BlockedDecision | undefined {
    const abort = this.abortRequest.take();
    const retry = this.retry.take();
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
