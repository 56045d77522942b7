import { ed25519 } from '@noble/curves/ed25519.js';
import { base64urlnopad } from '@scure/base';

/**
 * Signed tokens: how a person's authenticated decision reaches a run. The offboarding API signs (server/, with
 * `jose`) and the workflow verifies here, with a pure and deterministic Ed25519 implementation (`@noble/curves`), so a
 * token forged or altered on its way — even one sent straight to Temporal — is refused by the run itself.
 *
 * Format: a compact JWS (RFC 7515), header `{ alg: "EdDSA", kid, typ: "offboard+jws" }`, payload a JSON object of
 * claims (below). Keys are Ed25519 public keys as in an OKP JWK (`x`, base64url), named by `kid`.
 */

export const TOKEN_TYPE = 'offboard+jws';
/** How far a token's `iat` may lie ahead of the verifier's clock (clock skew between the API and Temporal). */
export const CLOCK_SKEW_SECONDS = 60;
/** The longest lifetime the API may give a token; a longer one is refused as invalid. */
export const MAX_TOKEN_LIFETIME_SECONDS = 600;
/**
 * A schedule grant lives as long as the schedule it authorizes may run without an admin renewing it: at most a year
 * and a day. Every run the schedule starts carries it and verifies it, like a request.
 */
export const MAX_SCHEDULE_GRANT_LIFETIME_SECONDS = 366 * 86_400;

/** A public key the run trusts. */
export interface TrustedKey {
  kid: string;
  /** The raw 32-byte Ed25519 public key, base64url (the `x` of an OKP JWK). */
  x: string;
}

/** Claims every token carries. */
export interface TokenClaims {
  iss: string;
  /** The person's (or integration's) stable subject at the identity provider: what four eyes compares. */
  sub: string;
  /** Display name, for humans only: never compared. */
  name: string;
  /** Our roles (hr, admin, security, oncall), as the API mapped them from the IdP's groups. */
  roles: string[];
  /** The person's RAM user name, when the IdP knows it: a person never decides on their own offboarding. */
  ramUser?: string;
  iat: number;
  exp: number;
  jti: string;
  workflowId: string;
}

export interface DecisionClaims extends TokenClaims {
  kind: 'decision';
  runId: string;
  decision: string;
  /** The decision's own arguments (reason, restoreAccess, …): covered by the signature. */
  args: Record<string, unknown>;
}

export interface RequestClaims extends TokenClaims {
  kind: 'request';
  workflow: string;
  /** The workflow input, without its `authorization`, exactly as signed. */
  request: Record<string, unknown>;
}

/**
 * A standing request: an admin authorizes a Temporal Schedule to start runs of `workflow` with `request` as input.
 * `workflowId` is the schedule's action workflow id; each run the schedule starts has that id plus `-<time>`.
 */
export interface ScheduleGrantClaims extends TokenClaims {
  kind: 'schedule';
  workflow: string;
  /** The schedule's id in Temporal. */
  scheduleId: string;
  request: Record<string, unknown>;
}

export type SignedClaims = DecisionClaims | RequestClaims | ScheduleGrantClaims;

/** Why a token was refused. */
export const TokenRefusal = {
  /** Not a well-formed JWS of ours, an unknown key, a bad signature, or claims missing or ill-typed. */
  TokenInvalid: 'TokenInvalid',
  /** Outside its validity window (or not yet valid). */
  TokenExpired: 'TokenExpired',
  /** Signed for another run, another decision, or another request than the one it came with. */
  WrongRun: 'WrongRun',
  /** Its `jti` was already used on this run. */
  TokenReplayed: 'TokenReplayed',
} as const;
export type TokenRefusal = (typeof TokenRefusal)[keyof typeof TokenRefusal];

export type Verified<C> = { ok: true; claims: C } | { ok: false; refusal: TokenRefusal; message: string };

function refuse(refusal: TokenRefusal, message: string): { ok: false; refusal: TokenRefusal; message: string } {
  return { ok: false, refusal, message };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const asciiBytes = (text: string) => new TextEncoder().encode(text);

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(utf8.decode(base64urlnopad.decode(part)));
  } catch {
    return undefined;
  }
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1000;
const isSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function hasCommonClaims(c: Record<string, unknown>): boolean {
  return (
    isString(c.iss) &&
    isString(c.sub) &&
    typeof c.name === 'string' &&
    Array.isArray(c.roles) &&
    c.roles.every(isString) &&
    (c.ramUser === undefined || isString(c.ramUser)) &&
    isSeconds(c.iat) &&
    isSeconds(c.exp) &&
    c.exp > c.iat &&
    c.exp - c.iat <= (c.kind === 'schedule' ? MAX_SCHEDULE_GRANT_LIFETIME_SECONDS : MAX_TOKEN_LIFETIME_SECONDS) &&
    isString(c.jti) &&
    isString(c.workflowId)
  );
}

function hasKindClaims(c: Record<string, unknown>): c is Record<string, unknown> & SignedClaims {
  if (c.kind === 'decision') return isString(c.runId) && isString(c.decision) && isObject(c.args);
  if (c.kind === 'request') return isString(c.workflow) && isObject(c.request);
  if (c.kind === 'schedule') return isString(c.workflow) && isString(c.scheduleId) && isObject(c.request);
  return false;
}

/** RFC 8032 verification (no ZIP-215 leniency); a malformed signature or key is simply not valid. */
function signatureVerifies(signature: string, signedText: string, publicKey: string): boolean {
  try {
    return ed25519.verify(base64urlnopad.decode(signature), asciiBytes(signedText), base64urlnopad.decode(publicKey), {
      zip215: false,
    });
  } catch {
    return false;
  }
}

/**
 * Checks the signature and the shape of a token against the trusted keys and the expected issuer. Time, run and
 * replay are the caller's checks (`checkTokenTime`, and the message and request rules).
 */
export function verifySignedToken(token: unknown, keys: readonly TrustedKey[], issuer: string): Verified<SignedClaims> {
  if (typeof token !== 'string' || token.length > 16_384) return refuse('TokenInvalid', 'the token is not a string');
  const parts = token.split('.');
  if (parts.length !== 3) return refuse('TokenInvalid', 'the token is not a compact JWS');
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart);
  if (!isObject(header) || header.alg !== 'EdDSA' || header.typ !== TOKEN_TYPE || !isString(header.kid)) {
    return refuse('TokenInvalid', `the token's header must be alg EdDSA, typ ${TOKEN_TYPE}, with a kid`);
  }
  const key = keys.find((k) => k.kid === header.kid);
  if (!key)
    return refuse('TokenInvalid', `the token is signed with key "${header.kid}", which this run does not trust`);
  if (!signatureVerifies(signaturePart, `${headerPart}.${payloadPart}`, key.x)) {
    return refuse('TokenInvalid', 'the token signature does not verify');
  }
  const claims = decodeJson(payloadPart);
  if (!isObject(claims) || !hasCommonClaims(claims) || !hasKindClaims(claims)) {
    return refuse('TokenInvalid', 'the token claims are missing or ill-typed');
  }
  if (claims.iss !== issuer) return refuse('TokenInvalid', `the token was issued by "${claims.iss}", not "${issuer}"`);
  return { ok: true, claims };
}

/** A token is valid from `iat` (less the allowed clock skew) to `exp`, both in seconds. */
export function checkTokenTime(claims: TokenClaims, nowMs: number): Verified<TokenClaims> {
  const now = Math.floor(nowMs / 1000);
  if (now < claims.iat - CLOCK_SKEW_SECONDS) return refuse('TokenExpired', 'the token is not valid yet');
  if (now > claims.exp)
    return refuse('TokenExpired', `the token expired at ${new Date(claims.exp * 1000).toISOString()}`);
  return { ok: true, claims };
}

/** Deep equality of two JSON values, key order aside: a signed request must be the input, exactly. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    return keysA.length === keysB.length && keysA.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}
