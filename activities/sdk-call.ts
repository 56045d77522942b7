import { Context } from '@temporalio/activity';
import { isNotFound, type Redactor, toFailure, withSecrets } from './classify';
import { type StepResult } from './types';

/**
 * The one way activities call Alibaba Cloud: the call heartbeats while it runs, whatever it throws becomes a
 * classified, redacted ApplicationFailure, and its request id joins the activity's list when one is passed.
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

export function sdkCalls(redact: Redactor): SdkCalls {
  async function call<T extends SdkResponse>(operation: string, fn: () => Promise<T>, requestIds?: string[]) {
    let res: T;
    try {
      res = await withHeartbeat(fn);
    } catch (err) {
      throw toFailure(operation, err, redact);
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

  return { call, callOptional, withSecrets: (secrets) => sdkCalls(withSecrets(redact, secrets)) };
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

/** Keeps long SDK calls visible to the server: a worker that dies is noticed within the heartbeat timeout. */
async function withHeartbeat<T>(fn: () => Promise<T>): Promise<T> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return fn(); // called outside an activity (unit tests, scripts): nothing to heartbeat to
  }
  const timer = setInterval(() => ctx.heartbeat(), 1_000);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
