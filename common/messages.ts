import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { MessageRefusal } from './errors';
import { type Action, mayDo, rolesNeeded } from './roles';
import {
  checkTokenTime,
  type DecisionClaims,
  type TokenRefusal,
  type TrustedKey,
  verifySignedToken,
} from './signed-token';
import { OffboardingStage, rescindableStages } from './stages';
import { type PendingDecision, type RunStatus, type RunWorkflow, type TargetIdentity } from './types';
import { isNonEmptyText } from './validation';

/**
 * The decisions people send to a run. Each is a Workflow Update (its validator answers the caller at once) and the
 * same as a Signal named `<update>Signal` for tools that can only signal. Either way the one argument is
 * `{ token }`: a decision signed by the offboarding API for one person (common/signed-token.ts). Who decided, with
 * which roles, for which run, and the decision's own arguments all come from the verified token, never from the
 * caller. A refused update leaves no history event; a refused signal changes nothing and is recorded as `refused`.
 */

/** The argument of every decision update and signal. */
export interface SignedDecision {
  token: string;
}

/** Each decision's own arguments, as the API signs them in the token's `args`. */
export interface ApproveDeletionArgs {
  comment?: string;
}
export interface RejectDeletionArgs {
  reason: string;
  /** Run the compensations (re-grant RBAC, re-enable keys and console login) in reverse order. */
  restoreAccess: boolean;
}
export interface ResolveDependenciesArgs {
  decision: 'proceed' | 'abort';
  reason: string;
}
export interface RescindArgs {
  reason: string;
}
export interface RetryArgs {
  reason?: string;
}
export interface AbortArgs {
  reason: string;
  /** Also undo what the run did so far (default false: access stays cut). */
  restoreAccess?: boolean;
}
/** A second admin approves an undo (restores the user from RAM's recycle bin). */
export interface ApproveUndoArgs {
  comment?: string;
}
export interface RejectUndoArgs {
  reason: string;
}
/** A second admin lets a run held by the blast-radius failsafe (DeletionPaused) go on deleting. */
export interface ConfirmDeletionsArgs {
  reason: string;
}

export interface MessageArgsByName {
  approveDeletion: ApproveDeletionArgs;
  rejectDeletion: RejectDeletionArgs;
  resolveDependencies: ResolveDependenciesArgs;
  rescind: RescindArgs;
  retry: RetryArgs;
  abort: AbortArgs;
  approveUndo: ApproveUndoArgs;
  rejectUndo: RejectUndoArgs;
  confirmDeletions: ConfirmDeletionsArgs;
}
export type MessageName = keyof MessageArgsByName;
export const messageNames: readonly MessageName[] = [
  'approveDeletion',
  'rejectDeletion',
  'resolveDependencies',
  'rescind',
  'retry',
  'abort',
  'approveUndo',
  'rejectUndo',
  'confirmDeletions',
];

/** The permission (common/roles.ts) each decision needs: rejecting an undo is the approver's call too. */
export const decisionAction: { readonly [N in MessageName]: Action } = {
  approveDeletion: 'approveDeletion',
  rejectDeletion: 'rejectDeletion',
  resolveDependencies: 'resolveDependencies',
  rescind: 'rescind',
  retry: 'retry',
  abort: 'abort',
  approveUndo: 'approveUndo',
  rejectUndo: 'approveUndo',
  confirmDeletions: 'confirmDeletions',
};

/** What an accepted update returns. */
export interface MessageAccepted {
  accepted: true;
  stage: OffboardingStage;
  message: string;
}

export const approveDeletionUpdate = defineUpdate<MessageAccepted, [SignedDecision]>('approveDeletion');
export const rejectDeletionUpdate = defineUpdate<MessageAccepted, [SignedDecision]>('rejectDeletion');
export const resolveDependenciesUpdate = defineUpdate<MessageAccepted, [SignedDecision]>('resolveDependencies');
export const rescindUpdate = defineUpdate<MessageAccepted, [SignedDecision]>('rescind');
export const retryUpdate = defineUpdate<MessageAccepted, [SignedDecision]>('retry');
export const abortUpdate = defineUpdate<MessageAccepted, [SignedDecision]>('abort');
export const approveUndoUpdate = defineUpdate<MessageAccepted, [SignedDecision]>('approveUndo');
export const rejectUndoUpdate = defineUpdate<MessageAccepted, [SignedDecision]>('rejectUndo');
export const confirmDeletionsUpdate = defineUpdate<MessageAccepted, [SignedDecision]>('confirmDeletions');

export const approveDeletionSignal = defineSignal<[SignedDecision]>('approveDeletionSignal');
export const rejectDeletionSignal = defineSignal<[SignedDecision]>('rejectDeletionSignal');
export const resolveDependenciesSignal = defineSignal<[SignedDecision]>('resolveDependenciesSignal');
export const rescindSignal = defineSignal<[SignedDecision]>('rescindSignal');
export const retrySignal = defineSignal<[SignedDecision]>('retrySignal');
export const abortSignal = defineSignal<[SignedDecision]>('abortSignal');
export const approveUndoSignal = defineSignal<[SignedDecision]>('approveUndoSignal');
export const rejectUndoSignal = defineSignal<[SignedDecision]>('rejectUndoSignal');
export const confirmDeletionsSignal = defineSignal<[SignedDecision]>('confirmDeletionsSignal');

/** Each decision's update, by name: the one table the workflow registers and the API and the tests send. */
export const decisionUpdates: { readonly [N in MessageName]: UpdateDefinition<MessageAccepted, [SignedDecision]> } = {
  approveDeletion: approveDeletionUpdate,
  rejectDeletion: rejectDeletionUpdate,
  resolveDependencies: resolveDependenciesUpdate,
  rescind: rescindUpdate,
  retry: retryUpdate,
  abort: abortUpdate,
  approveUndo: approveUndoUpdate,
  rejectUndo: rejectUndoUpdate,
  confirmDeletions: confirmDeletionsUpdate,
};

/** Each decision's signal twin, by name (for tools that can only signal). */
export const decisionSignals: { readonly [N in MessageName]: SignalDefinition<[SignedDecision]> } = {
  approveDeletion: approveDeletionSignal,
  rejectDeletion: rejectDeletionSignal,
  resolveDependencies: resolveDependenciesSignal,
  rescind: rescindSignal,
  retry: retrySignal,
  abort: abortSignal,
  approveUndo: approveUndoSignal,
  rejectUndo: rejectUndoSignal,
  confirmDeletions: confirmDeletionsSignal,
};

export const statusQuery = defineQuery<RunStatus>('status');

/** The part of a run's state the message rules look at. */
export interface MessageContext {
  workflow: RunWorkflow;
  workflowId: string;
  runId: string;
  stage: OffboardingStage;
  pendingDecision: PendingDecision;
  /** The authenticated subject who requested the run (from its verified request token). */
  requesterSubject: string;
  target: TargetIdentity;
  deletionStarted: boolean;
  /** Who approved the deletion (the latest accepted approveDeletion): the failsafe wants a second admin. */
  approverSubject?: string;
  /** The keys and issuer the run trusts (loaded from the worker's configuration at start). */
  keys: readonly TrustedKey[];
  issuer: string;
  /** Workflow time. */
  nowMs: number;
  /** True for a token id this run has already accepted. */
  seen(jti: string): boolean;
}

export interface Refusal {
  type: MessageRefusal | TokenRefusal;
  message: string;
}

/** An accepted decision: what was decided, who decided (from the token), and the token itself for the audit trail. */
export interface DecisionOf<N extends MessageName> {
  name: N;
  args: MessageArgsByName[N];
  claims: DecisionClaims;
  token: string;
}
/** Any accepted decision; `name` tells which. */
export type VerifiedDecision = { [N in MessageName]: DecisionOf<N> }[MessageName];

export type MessageCheck<N extends MessageName> =
  | { ok: true; decision: DecisionOf<N> }
  /** `claims`: the verified token's, when the refusal came after it verified (who tried, for the audit trail). */
  | { ok: false; refusal: Refusal; claims?: DecisionClaims };

function refused(type: Refusal['type'], message: string): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: { type, message } };
}

function invalid(name: string, rule: string): Refusal {
  return { type: MessageRefusal.InvalidArgument, message: `${name} refused: ${rule}` };
}

function wrongStage(name: string, ctx: DecisionSituation, expected: string): Refusal {
  return {
    type: MessageRefusal.WrongStage,
    message: `${name} is accepted only ${expected}; the run is in stage ${ctx.stage}${ctx.pendingDecision ? ` waiting for ${ctx.pendingDecision}` : ''}`,
  };
}

const reasonRule =
  '"reason" is required (non-empty text, at most 1000 characters, without control or format characters)';

/** The refusal of a decision whose required `reason` is missing or not valid text. */
function missingReason(name: string): Refusal {
  return { type: MessageRefusal.MissingReason, message: `${name} refused: ${reasonRule}` };
}

/** The refusal of an optional text field given but not valid text. */
function invalidOptionalText(name: string, field: string): Refusal {
  return invalid(
    name,
    `"${field}", when given, must be a non-empty text of at most 1000 characters, without control or format characters`,
  );
}

/** The decision's own arguments, checked field by field; the token signed them, the rules still apply. */
function readArgs<N extends MessageName>(name: N, args: Record<string, unknown>): MessageArgsByName[N] | Refusal {
  const reason = args.reason;
  switch (name) {
    case 'approveDeletion':
    case 'approveUndo':
      if (args.comment !== undefined && !isNonEmptyText(args.comment)) return invalidOptionalText(name, 'comment');
      return { comment: args.comment } as MessageArgsByName[N];
    case 'rejectDeletion':
      if (typeof args.restoreAccess !== 'boolean') return invalid(name, '"restoreAccess" must be true or false');
      if (!isNonEmptyText(reason)) return missingReason(name);
      return { reason, restoreAccess: args.restoreAccess } as MessageArgsByName[N];
    case 'resolveDependencies':
      if (args.decision !== 'proceed' && args.decision !== 'abort')
        return invalid(name, '"decision" must be "proceed" or "abort"');
      if (!isNonEmptyText(reason)) return missingReason(name);
      return { decision: args.decision, reason } as MessageArgsByName[N];
    case 'rescind':
    case 'rejectUndo':
    case 'confirmDeletions':
      if (!isNonEmptyText(reason)) return missingReason(name);
      return { reason } as MessageArgsByName[N];
    case 'retry':
      if (reason !== undefined && !isNonEmptyText(reason)) return invalidOptionalText(name, 'reason');
      return { reason } as MessageArgsByName[N];
    case 'abort':
      if (args.restoreAccess !== undefined && typeof args.restoreAccess !== 'boolean')
        return invalid(name, '"restoreAccess" must be true or false when given');
      if (!isNonEmptyText(reason)) return missingReason(name);
      return { reason, restoreAccess: args.restoreAccess } as MessageArgsByName[N];
    default:
      return invalid(String(name), 'unknown decision');
  }
}

/** What the stage and decider rules look at: the run's place, who requested it, whom it offboards. */
export type DecisionSituation = Pick<
  MessageContext,
  'workflow' | 'stage' | 'pendingDecision' | 'requesterSubject' | 'target' | 'deletionStarted' | 'approverSubject'
>;

/** The person a decision would be signed for, as the rules see them. */
export type Decider = Pick<DecisionClaims, 'sub' | 'name' | 'roles' | 'ramUser'>;

/** Whether the run is where this decision makes sense. */
function checkStage(name: MessageName, ctx: DecisionSituation): Refusal | null {
  switch (name) {
    case 'approveDeletion':
    case 'rejectDeletion':
      return ctx.workflow === 'offboardIdentity' &&
        ctx.stage === OffboardingStage.AwaitingApproval &&
        ctx.pendingDecision === 'approval'
        ? null
        : wrongStage(name, ctx, 'in stage AwaitingApproval');
    case 'resolveDependencies':
      return ctx.pendingDecision === 'dependencies'
        ? null
        : wrongStage(name, ctx, 'while the run waits for a dependency decision');
    case 'rescind':
      return ctx.workflow === 'offboardIdentity' && !ctx.deletionStarted && rescindableStages.includes(ctx.stage)
        ? null
        : wrongStage(name, ctx, 'before Deletion begins');
    case 'retry':
    case 'abort':
      return ctx.stage === OffboardingStage.Blocked && ctx.pendingDecision === 'blocked'
        ? null
        : wrongStage(name, ctx, 'in stage Blocked');
    case 'approveUndo':
    case 'rejectUndo':
      return ctx.workflow === 'undoOffboarding' &&
        ctx.stage === OffboardingStage.AwaitingApproval &&
        ctx.pendingDecision === 'approval'
        ? null
        : wrongStage(name, ctx, 'while an undo waits for approval');
    case 'confirmDeletions':
      return ctx.workflow === 'offboardIdentity' &&
        ctx.stage === OffboardingStage.DeletionPaused &&
        ctx.pendingDecision === 'failsafe'
        ? null
        : wrongStage(name, ctx, 'in stage DeletionPaused (held by the blast-radius failsafe)');
  }
}

/** Roles, four eyes and "not your own offboarding", on the authenticated subject. */
function checkDecider(name: MessageName, claims: Decider, ctx: DecisionSituation): Refusal | null {
  const who = `${claims.name || claims.sub} (${claims.sub})`;
  const action = decisionAction[name];
  if (!mayDo(action, claims.roles)) {
    return {
      type: rolesNeeded(action) === 'admin' ? MessageRefusal.NotAnAdmin : MessageRefusal.MissingRole,
      message: `${name} refused: ${who} does not have the role ${rolesNeeded(action)}`,
    };
  }
  // An undo restores a person's own access: they may not approve (or reject) it, as they may not decide their offboarding.
  if (ctx.target.type === 'user' && claims.ramUser === ctx.target.name) {
    return {
      type: MessageRefusal.OwnOffboarding,
      message: `${name} refused: ${who} is RAM user ${ctx.target.name}, the target of this run, and cannot decide on it`,
    };
  }
  const fourEyes =
    name === 'approveDeletion' ||
    name === 'rejectDeletion' ||
    name === 'resolveDependencies' ||
    name === 'approveUndo' ||
    name === 'rejectUndo' ||
    name === 'confirmDeletions';
  if (fourEyes && claims.sub === ctx.requesterSubject) {
    return {
      type: MessageRefusal.FourEyes,
      message: `${name} refused: ${who} requested this run and cannot also decide on it (four eyes)`,
    };
  }
  if (name === 'confirmDeletions' && ctx.approverSubject === claims.sub) {
    return {
      type: MessageRefusal.SecondAdmin,
      message: `${name} refused: ${who} approved this deletion; the blast-radius failsafe needs a second admin`,
    };
  }
  if (name === 'rescind' && !claims.roles.includes('admin') && claims.sub !== ctx.requesterSubject) {
    return {
      type: MessageRefusal.NotAllowed,
      message: `rescind refused: ${who} is neither the requester of this run nor an admin`,
    };
  }
  return null;
}

/**
 * The rules of every decision, as one pure function: the update validators and the signal handlers call it, and
 * so do the handlers themselves (validators do not run on replay). It verifies the token (signature, issuer, time,
 * this run, this decision, not replayed), then the stage, the arguments and the decider.
 */
export function checkMessage<N extends MessageName>(name: N, arg: unknown, ctx: MessageContext): MessageCheck<N> {
  const token = (arg as { token?: unknown } | undefined)?.token;
  if (typeof token !== 'string') {
    return refused(MessageRefusal.InvalidArgument, `${name} needs { token }: a decision signed by the offboarding API`);
  }
  const verified = verifySignedToken(token, ctx.keys, ctx.issuer);
  if (!verified.ok) return refused(verified.refusal, `${name} refused: ${verified.message}`);
  const claims = verified.claims;
  if (claims.kind !== 'decision') return refused('WrongRun', `${name} refused: the token is not a decision`);
  const timely = checkTokenTime(claims, ctx.nowMs);
  if (!timely.ok) return refused(timely.refusal, `${name} refused: ${timely.message}`);
  if (claims.workflowId !== ctx.workflowId || claims.runId !== ctx.runId) {
    return refused('WrongRun', `${name} refused: the token was signed for run ${claims.workflowId} (${claims.runId})`);
  }
  if (claims.decision !== name) {
    return refused('WrongRun', `${name} refused: the token was signed for ${claims.decision}`);
  }
  if (ctx.seen(claims.jti)) return refused('TokenReplayed', `${name} refused: this decision was already used`);
  const stage = checkStage(name, ctx);
  if (stage) return { ok: false, refusal: stage, claims };
  const args = readArgs(name, claims.args);
  if ('type' in args) return { ok: false, refusal: args, claims };
  const decider = checkDecider(name, claims, ctx);
  if (decider) return { ok: false, refusal: decider, claims };
  return { ok: true, decision: { name, args: args as MessageArgsByName[N], claims, token } };
}

/**
 * Why the run would refuse this decision from this person now (its stage, their roles, four eyes, their own
 * offboarding), or null when it would take it: the same rules as checkMessage, for showing a person only the
 * actions they may take. The run still checks the signed decision itself when it arrives.
 */
export function decisionRefusal(name: MessageName, decider: Decider, situation: DecisionSituation): Refusal | null {
  return checkStage(name, situation) ?? checkDecider(name, decider, situation);
}
