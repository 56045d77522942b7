import { mayDo, rolesNeeded } from './roles';
import {
  checkTokenTime,
  type RequestClaims,
  type ScheduleGrantClaims,
  sameJson,
  type TokenRefusal,
  type TrustedKey,
  verifySignedToken,
} from './signed-token';

/**
 * The rule for starting a run: its input carries `authorization`, a request signed by the offboarding API for the
 * person who made it, and the run changes nothing unless that signature, the person's role and the request itself
 * check out. A run started by anyone else with raw Temporal access ends `Refused`.
 */

export type StartedWorkflow = 'offboardIdentity' | 'revokeKubeconfig' | 'sweepOrphanedKubeconfigs' | 'undoOffboarding';

/** What every signed start input has: the requester and the signature over the rest. */
export interface SignedStartInput {
  requestedBy: string;
  authorization: string;
}

export interface RequestContext {
  workflow: StartedWorkflow;
  workflowId: string;
  /** When Temporal started the run: the token must have been valid then. */
  startedAtMs: number;
  keys: readonly TrustedKey[];
  issuer: string;
  /**
   * The schedule that started the run, as Temporal recorded it (the `TemporalScheduledById` search attribute, which
   * only the server sets): a schedule grant is accepted only on a run its own schedule started.
   */
  scheduledById?: string;
}

export type RequestCheck =
  | { ok: true; claims: RequestClaims | ScheduleGrantClaims }
  | { ok: false; refusal: TokenRefusal | 'MissingRole'; message: string };

const actionOf = {
  offboardIdentity: 'startOffboarding',
  revokeKubeconfig: 'startRevocation',
  sweepOrphanedKubeconfigs: 'sweep',
  undoOffboarding: 'undo',
} as const;

/** The input as the API signed it: everything but the signature itself. */
export function unsignedRequest(input: SignedStartInput): Record<string, unknown> {
  const { authorization: _signature, ...request } = input;
  return request;
}

export function checkStartRequest(input: SignedStartInput, ctx: RequestContext): RequestCheck {
  if (typeof input.authorization !== 'string') {
    return { ok: false, refusal: 'TokenInvalid', message: 'the run was started without a signed request' };
  }
  const verified = verifySignedToken(input.authorization, ctx.keys, ctx.issuer);
  if (!verified.ok) return verified;
  const claims = verified.claims;
  if (claims.kind === 'decision' || claims.workflow !== ctx.workflow) {
    return { ok: false, refusal: 'WrongRun', message: `the token does not request a ${ctx.workflow} run` };
  }
  if (claims.kind === 'schedule') {
    const bound = checkScheduledRun(claims, ctx);
    if (!bound.ok) return bound;
  } else if (claims.workflowId !== ctx.workflowId) {
    return { ok: false, refusal: 'WrongRun', message: `the request was signed for run ${claims.workflowId}` };
  }
  const timely = checkTokenTime(claims, ctx.startedAtMs);
  if (!timely.ok) return timely;
  if (!sameJson(claims.request, unsignedRequest(input))) {
    return { ok: false, refusal: 'WrongRun', message: 'the input differs from the request that was signed' };
  }
  if (claims.sub !== input.requestedBy) {
    return { ok: false, refusal: 'WrongRun', message: 'requestedBy is not the subject who signed the request' };
  }
  const action = claims.kind === 'schedule' ? 'scheduleSweep' : actionOf[ctx.workflow];
  if (!mayDo(action, claims.roles)) {
    return {
      ok: false,
      refusal: 'MissingRole',
      message: `${claims.name || claims.sub} (${claims.sub}) does not have the role ${rolesNeeded(action)}`,
    };
  }
  return { ok: true, claims };
}

/**
 * A schedule grant is good only on a run that its schedule started: Temporal names such a run `<action id>-<time>`
 * and records the schedule in `TemporalScheduledById`, which a client cannot set. A run started by hand with the
 * grant copied from the schedule is refused.
 */
function checkScheduledRun(
  claims: ScheduleGrantClaims,
  ctx: RequestContext,
): { ok: true } | { ok: false; refusal: TokenRefusal; message: string } {
  if (ctx.workflow !== 'sweepOrphanedKubeconfigs') {
    return { ok: false, refusal: 'WrongRun', message: `a ${ctx.workflow} run cannot be started by a schedule` };
  }
  if (ctx.scheduledById !== claims.scheduleId) {
    const by = ctx.scheduledById ? `schedule ${ctx.scheduledById}` : 'no schedule';
    return {
      ok: false,
      refusal: 'WrongRun',
      message: `the grant is for runs of schedule ${claims.scheduleId}, and this run was started by ${by}`,
    };
  }
  if (!ctx.workflowId.startsWith(`${claims.workflowId}-`)) {
    return { ok: false, refusal: 'WrongRun', message: `the grant is for runs named ${claims.workflowId}-<time>` };
  }
  return { ok: true };
}
