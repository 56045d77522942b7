import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { ApiError } from '../api-error';

/** What stops a signed request from being sent twice: its x-acs-date must be recent and its nonce new. */

/** The gateway rejects a request whose x-acs-date is more than 15 minutes away from its clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** Parses `YYYY-MM-DDTHH:mm:ssZ` and enforces the 15-minute window. */
export function checkTimestamp(value: string | string[] | undefined, now: number): void {
  const v = Array.isArray(value) ? value[0] : value;
  const t = v !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) {
    throw new ApiError(E.timestampFormat, 400, `Specified x-acs-date "${v ?? ''}" is not in ISO 8601 UTC format.`);
  }
  if (Math.abs(now - t) > MAX_CLOCK_SKEW_MS) {
    throw new ApiError(E.timestampExpired, 400, `Specified time stamp or date value is expired: ${v}.`);
  }
}

/**
 * Nonces seen within the replay window. A nonce older than the window cannot be replayed anyway (its x-acs-date
 * would be stale), so entries expire; Map insertion order is expiry order, which makes pruning O(expired).
 */
export class NonceStore {
  private readonly seen = new Map<string, number>();
  private inserts = 0;

  /** Records `nonce`; throws SignatureNonceUsed if it was seen within the window. */
  use(nonce: string, now: number): void {
    const until = this.seen.get(nonce);
    if (until !== undefined && until > now) {
      throw new ApiError(E.signatureNonceUsed, 400, 'Specified signature nonce was used already.');
    }
    if (until !== undefined) this.seen.delete(nonce);
    this.seen.set(nonce, now + 2 * MAX_CLOCK_SKEW_MS);
    if (++this.inserts % 1024 === 0) this.prune(now);
  }

  private prune(now: number): void {
    for (const [nonce, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(nonce);
    }
  }

  clear(): void {
    this.seen.clear();
  }
}
