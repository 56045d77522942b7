import type { Product } from '../action';

export interface JournalCaller {
  accessKeyId: string;
  /** `root`, `user/<name>`, or `anonymous` when the request could not be authenticated. */
  identity: string;
  uid: string;
}

export interface JournalEntry {
  seq: number;
  /** When the request arrived (ISO 8601, ms): what a latency measured from the client's side ends at. */
  receivedAt: string;
  /** When the answer was journaled, `durationMs` after `receivedAt`. */
  time: string;
  product: Product;
  action: string;
  caller: JournalCaller;
  /** Path, query and body parameters as the service received them (passwords redacted). */
  params: Record<string, unknown>;
  outcome: 'success' | 'error';
  /** 0 when the connection was dropped without a response. */
  statusCode: number;
  errorCode?: string;
  requestId: string;
  /** The success body (access key secrets redacted). */
  response?: unknown;
  /** The injected fault, if one fired for this call. */
  fault?: string;
  durationMs: number;
}

/** Every API call, in arrival order. Bounded so a long benchmark cannot exhaust memory; `seq` keeps counting. */
export class Journal {
  private entries: JournalEntry[] = [];
  private nextSeq = 1;

  constructor(private readonly limit = 100_000) {}

  add(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full = { seq: this.nextSeq++, ...entry };
    this.entries.push(full);
    // Trim in chunks: one splice per limit/10 calls instead of one shift per call.
    if (this.entries.length > this.limit) this.entries.splice(0, Math.ceil(this.limit / 10));
    return full;
  }

  list(sinceSeq = 0): JournalEntry[] {
    if (sinceSeq <= 0) return this.entries;
    return this.entries.filter((e) => e.seq > sinceSeq);
  }

  clear(): void {
    this.entries = [];
    this.nextSeq = 1;
  }
}

/** The log line of a call: status (or `drop`), product, action, caller, error code, duration. */
export function journalLine(e: JournalEntry): string {
  return `${e.statusCode || 'drop'} ${e.product} ${e.action} ${e.caller.identity}${e.errorCode ? ` ${e.errorCode}` : ''} ${e.durationMs}ms`;
}
