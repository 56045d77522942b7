import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The webhook ids the intake has taken, so that a delivery is acted on once: a second delivery with the same id is
 * refused (409) and names what the first one did. Ids are kept on disk (one JSON line each, appended before the
 * event is acted on) so a restart does not forget them. Only ids younger than the timestamp tolerance matter: an
 * older message is refused as stale before its id is looked at, so older lines are dropped when the file is read.
 */

export interface SeenDelivery {
  id: string;
  /** The webhook's own timestamp, seconds since epoch. */
  timestamp: number;
  integration: string;
  /** What the delivery did: the run it started, joined or rescinded; filled in once known. */
  workflowId?: string;
}

export class SeenWebhookIds {
  private readonly seen = new Map<string, SeenDelivery>();

  constructor(
    private readonly path: string,
    toleranceMs: number,
    now = Date.now(),
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // none yet
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as SeenDelivery & { released?: boolean };
        if (entry.released) this.seen.delete(entry.id);
        else if (now - entry.timestamp * 1000 <= toleranceMs)
          this.seen.set(entry.id, { ...this.seen.get(entry.id), ...entry });
      } catch {
        // a torn last line after a crash: its delivery is retried by the sender and refused as stale or taken again
      }
    }
  }

  /** The earlier delivery with this id, or undefined after recording this one (atomically, for concurrent calls). */
  claim(delivery: SeenDelivery): SeenDelivery | undefined {
    const earlier = this.seen.get(delivery.id);
    if (earlier) return earlier;
    this.seen.set(delivery.id, delivery);
    appendFileSync(this.path, `${JSON.stringify(delivery)}\n`, { mode: 0o600 });
    return undefined;
  }

  /** Forgets a claimed id whose delivery failed for a reason the sender should retry (a 5xx): the retry is taken. */
  release(id: string): void {
    if (!this.seen.delete(id)) return;
    appendFileSync(this.path, `${JSON.stringify({ id, released: true, timestamp: 0 })}\n`, { mode: 0o600 });
  }

  /** What the delivery did, for a later replay's refusal. */
  record(id: string, workflowId: string): void {
    const entry = this.seen.get(id);
    if (!entry) return;
    entry.workflowId = workflowId;
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
}
