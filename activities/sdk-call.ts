import { Context } from '@temporalio/activity';
import { type ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { type AlibabaErrorFacts, isNotFound, type Redactor, toFailure, withSecrets } from './classify';
import { type OffboardMetrics } from './metrics';
import { type RateLimiter } from './rate-limit';
import { type StepResult } from './types';

/**
 * The one way activities call Alibaba Cloud: the call waits for the worker's rate limit of its operation, heartbeats
 * while it waits and runs, whatever it throws becomes a classified, redacted ApplicationFailure, it is counted in the
 * worker's metrics, and its request id joins the activity's list when one is passed.
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
}

export function sdkCalls(options: SdkCallOptions): SdkCalls {
  const { redact, limiter, metrics } = options;
  async function call<T extends SdkResponse>(operation: string, fn: () => Promise<T>, requestIds?: string[]) {
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

/** True in a retried activity attempt: an earlier attempt of the same call ran, and may have taken effect. */
export function isRetriedAttempt(): boolean {
  try {
    return Context.current().info.attempt > 1;
  } catch {
    return false; // outside an activity (unit tests, scripts)
  }
}

/**
 * Keeps long SDK calls, and waits for the rate limit, visible to the server: a worker that dies is noticed within the
 * heartbeat timeout. `fn` gets the activity's cancellation signal, so that a cancelled activity stops waiting.
 */
async function withHeartbeat<T>(fn: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return fn(); // called outside an activity (unit tests, scripts): nothing to heartbeat to
  }
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
 * waiting. Outside an activity (unit tests, scripts), a plain timer.
 */
export async function pauseWithHeartbeat(ms: number): Promise<void> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return;
  }
  if (!ctx.info.isLocal) ctx.heartbeat();
  await ctx.sleep(ms);
}
