import { type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import { type ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { type AlibabaErrorFacts, isNotFound, type Redactor, toFailure, withSecrets } from './classify';
import { type OffboardMetrics } from './metrics';
import { type RateLimiter } from './rate-limit';
import { type StepResult } from './types';

/**
 * The one way activities call Alibaba Cloud: the call waits for the worker's rate limit of its operation, heartbeats
 * while it waits and runs, whatever it throws becomes a classified, redacted ApplicationFailure, it is counted in the
 * worker's metrics, and its request id joins the activity's list when one is passed. With tracing on it is a span of its
 * own under the activity's (operation, Alibaba's request id, error code), and every call is a log line of the activity
 * with the same fields (debug when it succeeds, warn when it fails).
 */
export interface SdkCalls {
  call<T extends SdkResponse>(operation: string, fn: () => Promise<T>, requestIds?: string[]): Promise<T>;
  /** For calls whose goal is absence or whose target may be missing: NotFound → undefined. */
  callOptional<T extends SdkResponse>(
    operation: string,
    fn: () => Promise<T>,
    requestIds?: string[],
  ): Promise<T | undefined>;
  /** The same calls, with the secrets of this call (a generated password) redacted too from whatever they throw. */
  withSecrets(secrets: readonly string[]): SdkCalls;
}

/** What every SDK response carries: the request id is in the body (RAM, most of CS) or in a header. */
export interface SdkResponse {
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SdkCallOptions {
  redact: Redactor;
  /** The worker's one limiter, shared by all its activities. */
  limiter: RateLimiter;
  /** None: nothing is counted (a dry-run CLI, scripts). */
  metrics?: OffboardMetrics;
  /** The worker's tracer when tracing is on (config/telemetry.ts); none: no span, no OpenTelemetry call at all. */
  tracer?: Tracer;
}

/** The attributes of an Alibaba call's span, and the fields of its log line. */
export const CALL_ATTRIBUTES = {
  operation: 'alibaba.operation',
  requestId: 'alibaba.request_id',
  errorCode: 'alibaba.error_code',
} as const;

export function sdkCalls(options: SdkCallOptions): SdkCalls {
  const { redact, limiter, metrics, tracer } = options;

  async function call<T extends SdkResponse>(operation: string, fn: () => Promise<T>, requestIds?: string[]) {
    if (!tracer) return logged(operation, () => untraced(operation, fn, requestIds));
    return tracer.startActiveSpan(
      `Alibaba:${operation}`,
      { kind: SpanKind.CLIENT, attributes: { [CALL_ATTRIBUTES.operation]: operation } },
      (span) => logged(operation, () => untraced(operation, fn, requestIds), span),
    );
  }

  async function untraced<T extends SdkResponse>(operation: string, fn: () => Promise<T>, requestIds?: string[]) {
    let res: T;
    try {
      res = await withHeartbeat(async (signal) => {
        const permit = await limiter.acquire(operation, signal);
        metrics?.rateLimitWait.observe({ operation }, permit.waitedMs / 1000);
        metrics?.alibabaCalls.inc({ operation });
        try {
          return await fn();
        } finally {
          permit.release();
        }
      });
    } catch (err) {
      // The activity was cancelled while the call waited for its slot: Temporal is told so, as it asked.
      if (err instanceof CancelledFailure) throw err;
      const failure = toFailure(operation, err, redact);
      metrics?.alibabaErrors.inc({ operation, code: errorCodeOf(failure) });
      throw failure;
    }
    requestIds?.push(...requestIdOf(res));
    return res;
  }

  /** The call's outcome on its span and in the activity's log: request id and error code, never a message. */
  async function logged<T extends SdkResponse>(operation: string, run: () => Promise<T>, span?: Span): Promise<T> {
    try {
      const res = await run();
      const requestId = requestIdOf(res)[0];
      if (requestId) span?.setAttribute(CALL_ATTRIBUTES.requestId, requestId);
      activityLog()?.debug('alibaba call', { operation, ...(requestId && { alibabaRequestId: requestId }) });
      return res;
    } catch (err) {
      const facts = (err as ApplicationFailure).details?.[0] as Partial<AlibabaErrorFacts> | undefined;
      const code = err instanceof CancelledFailure ? 'Cancelled' : errorCodeOf(err as ApplicationFailure);
      const requestId = typeof facts?.requestId === 'string' ? facts.requestId : undefined;
      span?.setAttribute(CALL_ATTRIBUTES.errorCode, code);
      if (requestId) span?.setAttribute(CALL_ATTRIBUTES.requestId, requestId);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: code });
      // NotFound is an expected answer where absence is the goal (callOptional): not a warning.
      activityLog()?.[isNotFound(err) ? 'debug' : 'warn']('alibaba call failed', {
        operation,
        errorCode: code,
        ...(requestId && { alibabaRequestId: requestId }),
      });
      throw err;
    } finally {
      span?.end();
    }
  }

  async function callOptional<T extends SdkResponse>(operation: string, fn: () => Promise<T>, requestIds?: string[]) {
    try {
      return await call(operation, fn, requestIds);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  return {
    call,
    callOptional,
    withSecrets: (secrets) => sdkCalls({ ...options, redact: withSecrets(redact, secrets) }),
  };
}

/**
 * The metrics label of a failure: Alibaba's code, else `HTTP <status>`, else the failure type (no answer came; a
 * cancelled wait). A bounded set: codes are Alibaba's, never a message.
 */
function errorCodeOf(failure: ApplicationFailure): string {
  const facts = failure.details?.[0] as Partial<AlibabaErrorFacts> | undefined;
  if (typeof facts?.code === 'string') return facts.code;
  if (typeof facts?.statusCode === 'number') return `HTTP ${facts.statusCode}`;
  return failure.type ?? 'Unexpected';
}

export function requestIdOf(res: SdkResponse | undefined): string[] {
  const fromBody = (res?.body as { requestId?: string } | undefined)?.requestId;
  const id = fromBody || res?.headers?.['x-acs-request-id'];
  return id ? [id] : [];
}

/**
 * The result of a step whose goal may already hold: no response (NotFound) means nothing changed — on a retry, maybe
 * because this run's earlier attempt took effect and lost its answer.
 */
export function stepResult(res: SdkResponse | undefined): StepResult {
  return res !== undefined
    ? { changed: true, requestIds: requestIdOf(res) }
    : { changed: false, requestIds: [], ...(isRetriedAttempt() && { earlierAttempt: true }) };
}

/** The running activity's context; none outside an activity (unit tests, scripts), where there is nothing to report to. */
function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** The running activity's logger (its lines carry the run's ids). */
function activityLog(): Context['log'] | undefined {
  return currentActivity()?.log;
}

/** True in a retried activity attempt: an earlier attempt of the same call ran, and may have taken effect. */
export function isRetriedAttempt(): boolean {
  return (currentActivity()?.info.attempt ?? 1) > 1;
}

/**
 * Keeps long SDK calls, and waits for the rate limit, visible to the server: a worker that dies is noticed within the
 * heartbeat timeout. `fn` gets the activity's cancellation signal, so that a cancelled activity stops waiting.
 */
async function withHeartbeat<T>(fn: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = currentActivity();
  if (!ctx) return fn();
  // A local activity has no heartbeat: the workflow task it runs in is what the server watches.
  if (ctx.info.isLocal) return fn(ctx.cancellationSignal);
  const timer = setInterval(() => ctx.heartbeat(), 1_000);
  try {
    return await fn(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}

/**
 * Waits `ms` inside an activity, heartbeating first so the server knows the worker is alive; a cancelled activity stops
 * waiting. Outside an activity, a plain timer.
 */
export async function pauseWithHeartbeat(ms: number): Promise<void> {
  const ctx = currentActivity();
  if (!ctx) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return;
  }
  if (!ctx.info.isLocal) ctx.heartbeat();
  await ctx.sleep(ms);
}
