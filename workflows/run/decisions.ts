import {
  type AbortArgs,
  type ApproveDeletionArgs,
  type MessageArgsByName,
  type MessageName,
  type RejectDeletionArgs,
  type RescindArgs,
} from '../../common/messages';

/** An admin's answer to "approve deletion?", as the approval step takes it. */
export type ApprovalDecision = ({ approved: true } & ApproveDeletionArgs) | ({ approved: false } & RejectDeletionArgs);

/** What an admin decided for a Blocked step. */
export type BlockedDecision = { kind: 'retry' } | { kind: 'abort'; args: AbortArgs };

/**
 * The decisions people send to a run. The message handlers put a decision here once it passed its rules
 * (common/messages.ts); the story takes it with a `take…()` method, which also clears it, so nothing outside resets
 * a decision. `has…()` are the conditions the story waits on.
 */
export class Decisions {
  private approval?: ApprovalDecision;
  private dependency?: 'proceed' | 'abort';
  private rescindRequest?: RescindArgs;
  private retry = false;
  private abortRequest?: AbortArgs;
  private rescindWindowOpen = true;

  /** Records an accepted message. Called only by the handlers, after the rules accepted it. */
  accept<N extends MessageName>(name: N, args: MessageArgsByName[N]): void {
    const a = args as MessageArgsByName[MessageName];
    switch (name) {
      case 'approveDeletion':
        this.approval = { approved: true, ...(a as ApproveDeletionArgs) };
        break;
      case 'rejectDeletion':
        this.approval = { approved: false, ...(a as RejectDeletionArgs) };
        break;
      case 'resolveDependencies':
        this.dependency = (a as MessageArgsByName['resolveDependencies']).decision;
        break;
      case 'rescind':
        this.rescindRequest = a as RescindArgs;
        break;
      case 'retry':
        this.retry = true;
        break;
      case 'abort':
        this.abortRequest = a as AbortArgs;
        break;
    }
  }

  hasApproval(): boolean {
    return this.approval !== undefined;
  }

  takeApproval(): ApprovalDecision | undefined {
    const a = this.approval;
    this.approval = undefined;
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
    if (abort) return { kind: 'abort', args: abort };
    return retry ? { kind: 'retry' } : undefined;
  }

  /** A rescind that the run must still carry out: HR asked, and Deletion has not begun. */
  pendingRescind(): RescindArgs | undefined {
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
