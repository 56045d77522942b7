import { mayDo, rolesNeeded } from './roles';
import {
  checkTokenTime,
  type RequestClaims,
  sameJson,
  type TokenRefusal,
  type TrustedKey,
  verifySignedToken,
} from './signed-token';
import { type OffboardIdentityInput, type RevokeKubeconfigInput } from './types';

/**
 * The rule for starting a run: its input carries `authorization`, a request signed by the offboarding API for the
 * person who made it, and the run changes nothing unless that signature, the person's role and the request itself
 * check out. A run started by anyone else with raw Temporal access ends `Refused`.
 */

export type StartedWorkflow = 'offboardIdentity' | 'revokeKubeconfig';

export interface RequestContext {
  workflow: StartedWorkflow;
  workflowId: string;
  /** When Temporal started the run: the token must have been valid then. */
  startedAtMs: number;
  keys: readonly TrustedKey[];
  issuer: string;
}

export type RequestCheck =
  { ok: true; claims: RequestClaims } | { ok: false; refusal: TokenRefusal | 'MissingRole'; message: string };

const actionOf = { offboardIdentity: 'startOffboarding', revokeKubeconfig: 'startRevocation' } as const;

/** The input as the API signed it: everything but the signature itself. */
export function unsignedRequest(input: OffboardIdentityInput | RevokeKubeconfigInput): Record<string, unknown> {
  const { authorization: _signature, ...request } = input;
  return request;
}

export function checkStartRequest(
  input: OffboardIdentityInput | RevokeKubeconfigInput,
  ctx: RequestContext,
): RequestCheck {
  if (typeof input.authorization !== 'string') {
    return { ok: false, refusal: 'TokenInvalid', message: 'the run was started without a signed request' };
  }
  const verified = verifySignedToken(input.authorization, ctx.keys, ctx.issuer);
  if (!verified.ok) return verified;
  const claims = verified.claims;
  if (claims.kind !== 'request' || claims.workflow !== ctx.workflow) {
    return { ok: false, refusal: 'WrongRun', message: `the token does not request a ${ctx.workflow} run` };
  }
  if (claims.workflowId !== ctx.workflowId) {
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
  const action = actionOf[ctx.workflow];
  if (!mayDo(action, claims.roles)) {
    return {
      ok: false,
      refusal: 'MissingRole',
      message: `${claims.name || claims.sub} (${claims.sub}) does not have the role ${rolesNeeded(action)}`,
    };
  }
  return { ok: true, claims };
}
