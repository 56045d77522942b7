import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  checkMessage,
  decisionSignals,
  decisionUpdates,
  type MessageAccepted,
  type MessageContext,
  type MessageName,
  messageNames,
  type SignedDecision,
  statusQuery,
  type VerifiedDecision,
} from '../../common/messages';
import { MessageRefusal } from '../../common/errors';
import { type DecisionClaims } from '../../common/signed-token';
import { type RunStatus, type TargetIdentity } from '../../common/types';
import { type Decisions, describeDecider } from './decisions';
import { type RunBoard } from './status';
import { type RunTrust } from './trust';

/** What the handlers need of a run. */
export interface MessageTarget {
  board: RunBoard;
  decisions: Decisions;
  trust: RunTrust;
  target: TargetIdentity;
  /** Names of the undo steps registered so far, for the status query. */
  compensationNames(): string[];
}

function contextOf(run: MessageTarget): MessageContext {
  const s = run.board.status;
  const info = workflowInfo();
  return {
    workflow: s.workflow,
    workflowId: info.workflowId,
    runId: info.firstExecutionRunId,
    stage: s.stage,
    pendingDecision: s.pendingDecision,
    requesterSubject: run.trust.requesterSubject,
    target: run.target,
    deletionStarted: run.decisions.deletionStarted,
    approverSubject: [...s.decisions].reverse().find((d) => d.kind === 'approveDeletion')?.actor,
    keys: run.trust.keys,
    issuer: run.trust.issuer,
    nowMs: Date.now(),
    seen: (jti) => run.trust.seen(jti),
  };
}

/** The detail an accepted decision adds to its audit entry. */
function decisionDetail(d: VerifiedDecision): string | undefined {
  switch (d.name) {
    case 'resolveDependencies':
      return `decision=${d.args.decision}`;
    case 'rejectDeletion':
      return `restoreAccess=${d.args.restoreAccess}`;
    case 'abort':
      return `restoreAccess=${d.args.restoreAccess ?? false}`;
    default:
      return undefined;
  }
}

/** Records an accepted decision: for the story to take, in the status, and in the audit trail with its token. */
function accept(run: MessageTarget, d: VerifiedDecision, via: 'update' | 'signal'): MessageAccepted {
  run.trust.use(d.claims, Date.now());
  run.decisions.accept(d);
  // Every decision but rescind answers what the run waits for; rescind is carried out at the next step boundary.
  if (d.name !== 'rescind') run.board.status.pendingDecision = null;
  const reason = 'reason' in d.args ? d.args.reason : undefined;
  const comment = d.name === 'approveDeletion' ? d.args.comment : undefined;
  const detail = decisionDetail(d);
  run.board.status.decisions.push({
    kind: d.name,
    actor: d.claims.sub,
    actorName: d.claims.name,
    roles: d.claims.roles,
    time: new Date().toISOString(),
    reason,
    comment,
    detail,
    token: d.token,
  });
  run.board.audit(
    `${d.name} (${via})`,
    'ok',
    [detail, reason, comment].filter(Boolean).join('; ') || undefined,
    undefined,
    {
      actor: d.claims.sub,
      token: d.token,
    },
  );
  const by = describeDecider({ subject: d.claims.sub, name: d.claims.name });
  return { accepted: true, stage: run.board.stage, message: `${d.name} by ${by} accepted` };
}

/**
 * One decision as an update (with its validator) and as a signal; both apply the same rules (common/messages.ts).
 * The handlers check again: validators do not run when a history is replayed, and a signal has no validator.
 */
function registerDecision<N extends MessageName>(
  run: MessageTarget,
  name: N,
  update: UpdateDefinition<MessageAccepted, [SignedDecision]>,
  signal: SignalDefinition<[SignedDecision]>,
): void {
  setHandler(
    update,
    (arg) => {
      const check = checkMessage(name, arg, contextOf(run));
      if (!check.ok) {
        if (recordsRefusedDecider(name, check)) recordRefusal(run, `${name} (update)`, check.refusal, check.claims.sub);
        throw ApplicationFailure.nonRetryable(check.refusal.message, check.refusal.type);
      }
      return accept(run, check.decision as VerifiedDecision, 'update');
    },
    {
      validator: (arg) => {
        const check = checkMessage(name, arg, contextOf(run));
        // A refused decider of a failsafe confirmation passes on to the handler, which records the attempt.
        if (!check.ok && !recordsRefusedDecider(name, check)) {
          throw ApplicationFailure.nonRetryable(check.refusal.message, check.refusal.type);
        }
      },
      description: `${name}: a decision signed by the offboarding API; see common/messages.ts for its rules`,
    },
  );
  setHandler(signal, (arg) => {
    const check = checkMessage(name, arg, contextOf(run));
    if (check.ok) {
      accept(run, check.decision as VerifiedDecision, 'signal');
      return;
    }
    // A refused signal changes nothing; it is only recorded (the sender gets no answer). Its claims are unverified,
    // so the entry names no actor.
    recordRefusal(run, `${name} (signal)`, check.refusal, 'unverified');
  });
}

/**
 * A failsafe confirmation from the wrong person (not an admin, the run's approver or requester) is recorded in the
 * audit trail with who tried, from the verified token: the second-admin rule is part of the run's evidence. Other
 * refused updates leave no trace (their validator answers the caller).
 */
function recordsRefusedDecider(
  name: MessageName,
  check: { ok: false; claims?: DecisionClaims; refusal: { type: string } },
): check is { ok: false; claims: DecisionClaims; refusal: { type: MessageRefusal; message: string } } {
  return name === 'confirmDeletions' && check.claims !== undefined && deciderRefusals.includes(check.refusal.type);
}
const deciderRefusals: readonly string[] = [
  MessageRefusal.NotAnAdmin,
  MessageRefusal.FourEyes,
  MessageRefusal.SecondAdmin,
  MessageRefusal.OwnOffboarding,
];

/** A refused attempt, in the audit trail. A flood is counted, not recorded one by one: the run's state stays bounded. */
function recordRefusal(run: MessageTarget, action: string, refusal: { type: string; message: string }, actor: string) {
  const status = run.board.status;
  if ((status.refusedSignals ?? 0) >= MAX_REFUSED_SIGNALS_RECORDED) {
    status.refusedSignalsNotRecorded = (status.refusedSignalsNotRecorded ?? 0) + 1;
    return;
  }
  status.refusedSignals = (status.refusedSignals ?? 0) + 1;
  run.board.audit(action, 'refused', `${refusal.type}: ${refusal.message}`, undefined, { actor });
}

/** Refused signals recorded one by one in the audit trail; those beyond are only counted. */
export const MAX_REFUSED_SIGNALS_RECORDED = 100;

/**
 * Registers every decision as an update and as its signal twin (for tools that can only signal), and the status
 * query. A refused update leaves no trace in history and answers the caller with the refusal. Call synchronously at
 * the start of a workflow.
 */
export function registerMessageHandlers(run: MessageTarget): void {
  for (const name of messageNames) registerDecision(run, name, decisionUpdates[name], decisionSignals[name]);
  setHandler(statusQuery, (): RunStatus => ({ ...run.board.status, compensations: run.compensationNames() }));
}
