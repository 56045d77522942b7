import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { MessageRefusal } from './errors';
import { OffboardingStage, rescindableStages } from './stages';
import { type PendingDecision, type RunStatus } from './types';
import { isNonEmptyText, isValidActor } from './validation';

/**
 * Messages the offboarding runs accept. Every update has a validator (refusals leave no history event and come
 * back to the caller as WorkflowUpdateFailedError with cause.type = a MessageRefusal); every update also exists as a
 * signal named `<update>Signal` for tools that can only signal. A refused signal changes nothing and is recorded in
 * the run's audit trail with outcome `refused`.
 *
 * `actor` is asserted by the caller (the CLI's --as, later an authenticated token); the run checks it against the
 * admin list it loaded from the worker's configuration.
 */

export interface ApproveDeletionArgs {
  actor: string;
  comment?: string;
}
export interface RejectDeletionArgs {
  actor: string;
  reason: string;
  /** Run the compensations (re-grant RBAC, re-enable keys and console login) in reverse order. */
  restoreAccess: boolean;
}
export interface ResolveDependenciesArgs {
  actor: string;
  decision: 'proceed' | 'abort';
  reason: string;
}
export interface RescindArgs {
  actor: string;
  reason: string;
}
export interface RetryArgs {
  actor: string;
  reason?: string;
}
export interface AbortArgs {
  actor: string;
  reason: string;
  /** Also undo what the run did so far (default false: access stays cut). */
  restoreAccess?: boolean;
}

/** What an accepted update returns. */
export interface MessageAccepted {
  accepted: true;
  stage: OffboardingStage;
  message: string;
}

export const approveDeletionUpdate = defineUpdate<MessageAccepted, [ApproveDeletionArgs]>('approveDeletion');
export const rejectDeletionUpdate = defineUpdate<MessageAccepted, [RejectDeletionArgs]>('rejectDeletion');
export const resolveDependenciesUpdate = defineUpdate<MessageAccepted, [ResolveDependenciesArgs]>(
  'resolveDependencies',
);
export const rescindUpdate = defineUpdate<MessageAccepted, [RescindArgs]>('rescind');
export const retryUpdate = defineUpdate<MessageAccepted, [RetryArgs]>('retry');
export const abortUpdate = defineUpdate<MessageAccepted, [AbortArgs]>('abort');

export const approveDeletionSignal = defineSignal<[ApproveDeletionArgs]>('approveDeletionSignal');
export const rejectDeletionSignal = defineSignal<[RejectDeletionArgs]>('rejectDeletionSignal');
export const resolveDependenciesSignal = defineSignal<[ResolveDependenciesArgs]>('resolveDependenciesSignal');
export const rescindSignal = defineSignal<[RescindArgs]>('rescindSignal');
export const retrySignal = defineSignal<[RetryArgs]>('retrySignal');
export const abortSignal = defineSignal<[AbortArgs]>('abortSignal');

export const statusQuery = defineQuery<RunStatus>('status');

export type MessageName = 'approveDeletion' | 'rejectDeletion' | 'resolveDependencies' | 'rescind' | 'retry' | 'abort';

export interface MessageArgsByName {
  approveDeletion: ApproveDeletionArgs;
  rejectDeletion: RejectDeletionArgs;
  resolveDependencies: ResolveDependenciesArgs;
  rescind: RescindArgs;
  retry: RetryArgs;
  abort: AbortArgs;
}

/** The part of a run's state the message rules look at. */
export interface MessageContext {
  workflow: 'offboardIdentity' | 'revokeKubeconfig';
  stage: OffboardingStage;
  pendingDecision: PendingDecision;
  requestedBy: string;
  admins: readonly string[];
  deletionStarted: boolean;
}

export interface Refusal {
  type: MessageRefusal;
  message: string;
}

function wrongStage(name: string, ctx: MessageContext, expected: string): Refusal {
  return {
    type: MessageRefusal.WrongStage,
    message: `${name} is accepted only ${expected}; the run is in stage ${ctx.stage}${ctx.pendingDecision ? ` waiting for ${ctx.pendingDecision}` : ''}`,
  };
}

function requireAdmin(name: string, actor: string, ctx: MessageContext): Refusal | null {
  if (!ctx.admins.includes(actor)) {
    return {
      type: MessageRefusal.NotAnAdmin,
      message: `${name} refused: "${actor}" is not an admin of this run (admins: ${ctx.admins.join(', ') || 'none configured'})`,
    };
  }
  return null;
}

function requireReason(name: string, reason: unknown): Refusal | null {
  if (!isNonEmptyText(reason)) {
    return {
      type: MessageRefusal.MissingReason,
      message: `${name} refused: "reason" is required (non-empty text, at most 1000 characters)`,
    };
  }
  return null;
}

/**
 * The rules of every message, as one pure function: the workflows' validators and signal handlers call it, and the
 * CLI may call it on a `status` answer to explain a refusal before sending anything. Null means accepted.
 */
export function checkMessage<N extends MessageName>(
  name: N,
  args: MessageArgsByName[N] | undefined,
  ctx: MessageContext,
): Refusal | null {
  if (!args || typeof args !== 'object') {
    return { type: MessageRefusal.InvalidArgument, message: `${name} needs an argument object with "actor"` };
  }
  const actor = (args as { actor?: unknown }).actor;
  if (!isValidActor(actor)) {
    return {
      type: MessageRefusal.InvalidArgument,
      message: `${name} refused: "actor" must be 1-128 characters: letters, digits, ".", "_", "@", "+" or "-"`,
    };
  }
  switch (name) {
    case 'approveDeletion': {
      if (
        ctx.workflow !== 'offboardIdentity' ||
        ctx.stage !== OffboardingStage.AwaitingApproval ||
        ctx.pendingDecision !== 'approval'
      ) {
        return wrongStage(name, ctx, 'in stage AwaitingApproval');
      }
      const notAdmin = requireAdmin(name, actor, ctx);
      if (notAdmin) return notAdmin;
      if (actor === ctx.requestedBy) {
        return {
          type: MessageRefusal.FourEyes,
          message: `approveDeletion refused: "${actor}" requested this offboarding and cannot also approve it (four eyes)`,
        };
      }
      return null;
    }
    case 'rejectDeletion': {
      if (
        ctx.workflow !== 'offboardIdentity' ||
        ctx.stage !== OffboardingStage.AwaitingApproval ||
        ctx.pendingDecision !== 'approval'
      ) {
        return wrongStage(name, ctx, 'in stage AwaitingApproval');
      }
      const a = args as RejectDeletionArgs;
      if (typeof a.restoreAccess !== 'boolean') {
        return {
          type: MessageRefusal.InvalidArgument,
          message: 'rejectDeletion refused: "restoreAccess" must be true or false',
        };
      }
      return requireAdmin(name, actor, ctx) ?? requireReason(name, a.reason);
    }
    case 'resolveDependencies': {
      if (ctx.pendingDecision !== 'dependencies')
        return wrongStage(name, ctx, 'while the run waits for a dependency decision');
      const a = args as ResolveDependenciesArgs;
      if (a.decision !== 'proceed' && a.decision !== 'abort') {
        return {
          type: MessageRefusal.InvalidArgument,
          message: 'resolveDependencies refused: "decision" must be "proceed" or "abort"',
        };
      }
      return requireAdmin(name, actor, ctx) ?? requireReason(name, a.reason);
    }
    case 'rescind': {
      if (ctx.workflow !== 'offboardIdentity' || ctx.deletionStarted || !rescindableStages.includes(ctx.stage)) {
        return wrongStage(name, ctx, 'before Deletion begins');
      }
      if (actor !== ctx.requestedBy && !ctx.admins.includes(actor)) {
        return {
          type: MessageRefusal.NotAllowed,
          message: `rescind refused: "${actor}" is neither the requester (${ctx.requestedBy}) nor an admin`,
        };
      }
      return requireReason(name, (args as RescindArgs).reason);
    }
    case 'retry': {
      if (ctx.stage !== OffboardingStage.Blocked || ctx.pendingDecision !== 'blocked')
        return wrongStage(name, ctx, 'in stage Blocked');
      return requireAdmin(name, actor, ctx);
    }
    case 'abort': {
      if (ctx.stage !== OffboardingStage.Blocked || ctx.pendingDecision !== 'blocked')
        return wrongStage(name, ctx, 'in stage Blocked');
      const a = args as AbortArgs;
      if (a.restoreAccess !== undefined && typeof a.restoreAccess !== 'boolean') {
        return {
          type: MessageRefusal.InvalidArgument,
          message: 'abort refused: "restoreAccess" must be true or false when given',
        };
      }
      return requireAdmin(name, actor, ctx) ?? requireReason(name, a.reason);
    }
    default:
      return { type: MessageRefusal.InvalidArgument, message: `unknown message ${String(name)}` };
  }
}
