import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import {
  abortSignal,
  abortUpdate,
  approveDeletionSignal,
  approveDeletionUpdate,
  checkMessage,
  type MessageAccepted,
  type MessageArgsByName,
  type MessageContext,
  type MessageName,
  rejectDeletionSignal,
  rejectDeletionUpdate,
  rescindSignal,
  rescindUpdate,
  resolveDependenciesSignal,
  resolveDependenciesUpdate,
  retrySignal,
  retryUpdate,
  statusQuery,
} from '../../common/messages';
import { type RunStatus } from '../../common/types';
import { type Decisions } from './decisions';
import { type RunBoard } from './status';

/** What the handlers need of a run. */
export interface MessageTarget {
  board: RunBoard;
  decisions: Decisions;
  requestedBy: string;
  /** Names of the undo steps registered so far, for the status query. */
  compensationNames(): string[];
}

function contextOf(run: MessageTarget): MessageContext {
  const s = run.board.status;
  return {
    workflow: s.workflow,
    stage: s.stage,
    pendingDecision: s.pendingDecision,
    requestedBy: run.requestedBy,
    admins: s.admins,
    deletionStarted: run.decisions.deletionStarted,
  };
}

/** The detail an accepted decision adds to its audit entry. */
function decisionDetail(name: MessageName, a: MessageArgsByName[MessageName]): string | undefined {
  switch (name) {
    case 'resolveDependencies':
      return `decision=${(a as MessageArgsByName['resolveDependencies']).decision}`;
    case 'rejectDeletion':
      return `restoreAccess=${(a as MessageArgsByName['rejectDeletion']).restoreAccess}`;
    case 'abort':
      return `restoreAccess=${(a as MessageArgsByName['abort']).restoreAccess ?? false}`;
    default:
      return undefined;
  }
}

/** Records an accepted message: the decision for the story to take, the status, and the audit trail. */
function accept<N extends MessageName>(
  run: MessageTarget,
  name: N,
  args: MessageArgsByName[N],
  via: 'update' | 'signal',
): MessageAccepted {
  const a = args as MessageArgsByName[MessageName];
  run.decisions.accept(name, args);
  // Every decision but rescind answers what the run waits for; rescind is carried out at the next step boundary.
  if (name !== 'rescind') run.board.status.pendingDecision = null;
  const reason = 'reason' in a && typeof a.reason === 'string' ? a.reason : undefined;
  const detail = decisionDetail(name, a);
  run.board.status.decisions.push({ kind: name, actor: a.actor, time: new Date().toISOString(), reason, detail });
  run.board.audit(
    `${name} (${via})`,
    'ok',
    [detail, reason].filter(Boolean).join('; ') || undefined,
    undefined,
    a.actor,
  );
  return { accepted: true, stage: run.board.stage, message: `${name} by ${a.actor} accepted` };
}

/** One decision as an update (with its validator) and as a signal; both apply the same rules. */
function registerDecision<N extends MessageName>(
  run: MessageTarget,
  name: N,
  update: UpdateDefinition<MessageAccepted, [MessageArgsByName[N]]>,
  signal: SignalDefinition<[MessageArgsByName[N]]>,
): void {
  setHandler(update, (args) => accept(run, name, args, 'update'), {
    validator: (args) => {
      const refusal = checkMessage(name, args, contextOf(run));
      if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
    },
    description: `${name}: see common/messages.ts for its rules`,
  });
  setHandler(signal, (args) => {
    const refusal = checkMessage(name, args, contextOf(run));
    if (!refusal) {
      accept(run, name, args, 'signal');
      return;
    }
    // A refused signal changes nothing; it is only recorded (the sender gets no answer).
    const actor: unknown = (args as { actor?: unknown } | undefined)?.actor;
    run.board.audit(
      `${name} (signal)`,
      'refused',
      `${refusal.type}: ${refusal.message}`,
      undefined,
      (typeof actor === 'string' ? actor : 'unknown').slice(0, 128),
    );
  });
}

/**
 * Registers every decision as an update and as its signal twin (for tools that can only signal), and the status
 * query. A refused update leaves no trace in history and answers the caller with the refusal. Call synchronously at
 * the start of a workflow.
 */
export function registerMessageHandlers(run: MessageTarget): void {
  registerDecision(run, 'approveDeletion', approveDeletionUpdate, approveDeletionSignal);
  registerDecision(run, 'rejectDeletion', rejectDeletionUpdate, rejectDeletionSignal);
  registerDecision(run, 'resolveDependencies', resolveDependenciesUpdate, resolveDependenciesSignal);
  registerDecision(run, 'rescind', rescindUpdate, rescindSignal);
  registerDecision(run, 'retry', retryUpdate, retrySignal);
  registerDecision(run, 'abort', abortUpdate, abortSignal);
  setHandler(statusQuery, (): RunStatus => ({ ...run.board.status, compensations: run.compensationNames() }));
}
