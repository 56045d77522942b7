import { randomUUID } from 'node:crypto';
import type { FaultRule } from './faults';
import type { JournalCaller, JournalEntry } from './journal';
import type { Route } from './routes';

/**
 * What the journal keeps of one API call, filled in by the gateway's steps as the call goes through them: the route
 * when it arrives, the caller once known, the fault if one fires, the body once parsed, and the outcome at the end.
 * `toJournalEntry` keeps secrets out: the journal is read by people and tests.
 */
export class CallRecord {
  readonly requestId = randomUUID().toUpperCase();
  caller: JournalCaller = { accessKeyId: '', identity: 'anonymous', uid: '' };
  query: Record<string, string> = {};
  /** The parsed JSON body (CS). */
  body: unknown = undefined;
  fault: FaultRule | undefined = undefined;
  /** Stays 'error' with status 0 when the connection is dropped before an answer. */
  private outcome: JournalEntry['outcome'] = 'error';
  private statusCode = 0;
  private errorCode: string | undefined = undefined;
  private response: unknown = undefined;

  constructor(
    readonly route: Route,
    /** performance.now() when the request arrived. */
    private readonly started: number,
  ) {}

  succeeded(statusCode: number, response: unknown): void {
    this.outcome = 'success';
    this.statusCode = statusCode;
    this.response = response;
  }

  /** `errorCode` is absent when the answer was not the service's (a `foreign-error` fault). */
  failed(statusCode: number, errorCode?: string): void {
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }

  toJournalEntry(): Omit<JournalEntry, 'seq'> {
    const { product, action, pathParams } = this.route;
    const params: Record<string, unknown> = { ...pathParams, ...this.query };
    if (this.body !== undefined) params.body = this.body;
    if (typeof params.Password === 'string') params.Password = '***';
    let response = this.response;
    if (action === 'CreateAccessKey' && response) {
      const r = response as { AccessKey?: Record<string, unknown> };
      if (r.AccessKey) response = { ...r, AccessKey: { ...r.AccessKey, AccessKeySecret: '***' } };
    }
    return {
      receivedAt: new Date(performance.timeOrigin + this.started).toISOString(),
      time: new Date().toISOString(),
      product,
      action,
      caller: this.caller,
      params,
      outcome: this.outcome,
      statusCode: this.statusCode,
      ...(this.errorCode !== undefined && { errorCode: this.errorCode }),
      requestId: this.requestId,
      ...(response !== undefined && { response }),
      ...(this.fault !== undefined && { fault: this.fault.kind }),
      durationMs: Math.round((performance.now() - this.started) * 1000) / 1000,
    };
  }
}
