import { ApplicationFailure } from '@temporalio/common';
import { AlibabaErrorCodes as C } from '../common/alibaba-error-codes';
import { FailureType } from '../common/errors';

/**
 * Maps whatever an SDK call threw onto the orchestrator's small set of failure types. Retryable ones go back to
 * Temporal's retry policy; the others are `nonRetryable` so that the workflow sees them at once and decides
 * (Blocked, dependency decision, or success where NotFound is the goal).
 */

/**
 * The facts we keep of a failed call, and all that leaves an activity: the operation, Alibaba's code, the HTTP status,
 * the request id, and a message that is either the service's own `Message` (cleaned: no URL, no control characters,
 * known secrets redacted) or, when no answer came back, the kind of transport failure. Never the SDK's own message:
 * Node's HTTP library appends the whole request URL to it, and RPC-style APIs (RAM) carry every parameter — a
 * CreateLoginProfile password included — in that URL's query. No body, no headers, no stack.
 */
export interface AlibabaErrorFacts {
  operation: string;
  code?: string;
  statusCode?: number;
  requestId?: string;
  message: string;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  requestId?: unknown;
  message?: unknown;
  retryAfter?: unknown;
  data?: unknown;
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

const NOT_FOUND = new Set<string>([
  C.userNotFound,
  C.roleNotFound,
  C.accessKeyOfUserNotFound,
  C.loginProfileNotFound,
  C.mfaDeviceNotFound,
  C.userPolicyNotFound,
  C.rolePolicyNotFound,
  C.userGroupNotFound,
  C.groupNotFound,
  C.policyNotFound,
  C.clusterNotFound,
  C.csUserNotFound,
  C.taskNotFound,
]);

const ACCESS_DENIED = new Set<string>([
  C.csForbidden,
  C.noPermission,
  C.signatureDoesNotMatch,
  C.signatureNonceUsed,
  C.timestampExpired,
  C.accessKeyNotFound,
  C.accessKeyInactive,
  'ForbiddenGrantPermissions',
  'ErrorCheckAcl',
  'Forbidden.RAM',
]);

const INVALID_INPUT = new Set<string>([
  C.csInvalidParameter,
  C.invalidUserName,
  C.invalidUserNameLength,
  C.invalidPolicyType,
  C.cleanRootNotSupported,
  C.cleanSelfNotSupported,
]);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v !== 'undefined' ? v : undefined;
}

/** Removes known secrets (the configured access key secret, STS tokens, per-call secrets) from any text. */
export type Redactor = (text: string) => string;

export function makeRedactor(secrets: readonly string[]): Redactor {
  const list = secrets.filter((s) => s.length >= 8);
  return (text) => list.reduce((t, s) => t.split(s).join('[REDACTED]'), text);
}

/** `redact`, and also the secrets of one call (a generated password). */
export function withSecrets(redact: Redactor, secrets: readonly string[]): Redactor {
  const more = makeRedactor(secrets);
  return (text) => more(redact(text));
}

// Anything that looks like a URL, and control or format characters (a terminal escape, a bidirectional override).
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/\S*/gi;
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]+/gu;

/** The service's own message, safe to keep: one line, no URL, no known secret, at most 300 characters. */
function cleanServiceMessage(message: string, redact: Redactor): string {
  return redact(message).replace(URL_LIKE, '[url]').replace(CONTROL_OR_FORMAT, ' ').trim().slice(0, 300);
}

/**
 * What went wrong when no service answer came back, from the error's name and code only. The words a transport
 * failure is known by (socket hang up, timeout) are kept, so that classification still sees them.
 */
function transportFailure(e: ErrorLike, raw: string): string {
  const name = str(e.name) ?? 'Error';
  const code = str(e.code) ?? str((e.cause as ErrorLike | undefined)?.code);
  const known = /socket hang up|timeout|timed out|network|ECONN\w+|ETIMEDOUT|EPIPE|EAI_AGAIN/i.exec(raw)?.[0];
  return [`no answer from the service (${name}${code ? ` ${code}` : ''})`, known && known !== code ? known : undefined]
    .filter(Boolean)
    .join(': ');
}

function errorFacts(operation: string, err: unknown, redact: Redactor): AlibabaErrorFacts {
  const e = (err ?? {}) as ErrorLike;
  const data = e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>) : undefined;
  const serviceMessage = str(data?.Message ?? data?.message);
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  let message: string;
  if (serviceMessage) message = cleanServiceMessage(serviceMessage, redact);
  else if (statusCode !== undefined) message = `HTTP ${statusCode}`;
  else message = transportFailure(e, typeof e.message === 'string' ? e.message : '');
  return {
    operation,
    code: str(e.code),
    statusCode,
    requestId: str(e.requestId) ?? str(data?.RequestId ?? data?.requestId),
    message,
  };
}

/** Codes whose meaning we know (documented, or ours where the real one is undocumented): their type stands. */
function isKnownCode(code: string): boolean {
  return (
    NOT_FOUND.has(code) ||
    ACCESS_DENIED.has(code) ||
    INVALID_INPUT.has(code) ||
    code.includes('Throttling') ||
    code.startsWith('EntityNotExist') ||
    code.startsWith('InvalidParameter') ||
    code.startsWith('DeleteConflict') ||
    code.startsWith('EntityAlreadyExists') ||
    code.startsWith('LimitExceeded')
  );
}

export function classifyFacts(facts: AlibabaErrorFacts, errName?: string): FailureType {
  const code = facts.code ?? '';
  const status = facts.statusCode;
  if (errName === 'ThrottlingError' || code.includes('Throttling')) return FailureType.Throttled;
  if (code === C.recentClusterAccess) return FailureType.RecentClusterAccess;
  // Only documented codes (and ours, where the real one is undocumented) mean "not found". An HTTP 404 without one is
  // not Alibaba's answer (a mis-pointed endpoint, a proxy, an unknown route): it falls to InvalidInput below, so a step
  // whose goal is absence never takes it for "already gone".
  if (NOT_FOUND.has(code) || code.startsWith('EntityNotExist')) return FailureType.NotFound;
  if (ACCESS_DENIED.has(code) || status === 403) return FailureType.AccessDenied;
  if (INVALID_INPUT.has(code) || code.startsWith('InvalidParameter')) return FailureType.InvalidInput;
  if (
    code.startsWith('DeleteConflict') ||
    code.startsWith('EntityAlreadyExists') ||
    code.startsWith('LimitExceeded') ||
    status === 409
  ) {
    return FailureType.Conflict;
  }
  if (code === C.internalError || code === C.serviceUnavailable || (status !== undefined && status >= 500)) {
    return FailureType.Unavailable;
  }
  if (status !== undefined && status >= 400) return FailureType.InvalidInput;
  // No HTTP status: the call never got an Alibaba answer (timeouts, dropped connections, non-JSON bodies).
  if (
    errName === 'RequestTimeoutError' ||
    errName === 'SyntaxError' ||
    errName === 'AbortError' ||
    NETWORK_CODES.has(code) ||
    /socket hang up|ECONNRESET|ECONNREFUSED|timeout|network/i.test(facts.message)
  ) {
    return FailureType.Unavailable;
  }
  return FailureType.Unexpected;
}

/**
 * How the refusal of a clean without Force reads. Alibaba documents the refusal (access records in the last 7 days,
 * or none that can be retrieved because the cluster keeps no API-server audit logs) but no code for it.
 */
const CLEAN_REFUSAL_WORDS =
  /\b(7|seven)[ -]days?\b|recent(ly)?[ -](access|use)|access records?|audit(ing)?[ -]?(logs?|is disabled|disabled|off)/i;

/**
 * A 4xx answer to a clean without Force, classified by what is documented: its words speak of recent access or audit
 * logs (or it carries our code for it) → RecentClusterAccess; a code whose other meaning we know keeps its type (the
 * worker lacking a permission still blocks); anything else → UnclearCleanRefusal, which an admin judges from the raw
 * code and message instead of the run blocking on a guess.
 */
export function classifyCleanRefusal(facts: AlibabaErrorFacts, type: FailureType): FailureType {
  const status = facts.statusCode;
  if (status === undefined || status < 400 || status >= 500 || type === FailureType.Throttled) return type;
  if (facts.code === C.recentClusterAccess || CLEAN_REFUSAL_WORDS.test(facts.message)) {
    return FailureType.RecentClusterAccess;
  }
  if (facts.code !== undefined && isKnownCode(facts.code)) return type;
  return FailureType.UnclearCleanRefusal;
}

const RETRYABLE: ReadonlySet<FailureType> = new Set([FailureType.Throttled, FailureType.Unavailable]);

/** The ApplicationFailure for the facts of a failed call, as `type`. */
function failureOf(facts: AlibabaErrorFacts, type: FailureType, retryAfter?: unknown): ApplicationFailure {
  const where = [facts.code, facts.statusCode !== undefined ? `HTTP ${facts.statusCode}` : undefined]
    .filter(Boolean)
    .join(', ');
  return ApplicationFailure.create({
    type,
    message: `${facts.operation} failed: ${type}${where ? ` (${where})` : ''}: ${facts.message}${facts.requestId ? ` [request ${facts.requestId}]` : ''}`,
    nonRetryable: !RETRYABLE.has(type),
    details: [facts],
    // Alibaba's x-acs-retry-after (milliseconds, as the SDK reads it) is a better first delay than our backoff.
    nextRetryDelay:
      type === FailureType.Throttled && typeof retryAfter === 'number' && retryAfter > 0 && retryAfter < 60_000
        ? retryAfter
        : undefined,
  });
}

/** The ApplicationFailure an activity throws for a failed call. */
export function toFailure(operation: string, err: unknown, redact: Redactor): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const facts = errorFacts(operation, err, redact);
  const name = str((err as ErrorLike | undefined)?.name);
  return failureOf(facts, classifyFacts(facts, name), (err as ErrorLike | undefined)?.retryAfter);
}

/** A failed clean without Force, classified again as a possible refusal (see classifyCleanRefusal). */
export function asCleanRefusal(err: unknown): unknown {
  if (!(err instanceof ApplicationFailure)) return err;
  const facts = err.details?.[0] as AlibabaErrorFacts | undefined;
  if (!facts || typeof facts.message !== 'string') return err;
  const type = classifyCleanRefusal(facts, err.type as FailureType);
  return type === err.type ? err : failureOf(facts, type);
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApplicationFailure && err.type === FailureType.NotFound;
}
