import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';

/**
 * The optional quota model: Alibaba Cloud limits calls per second per API, counted per account (RAM: "region × API ×
 * parent UID"), and answers beyond with Throttling.User. Configured by the world's `quotas` option; off when empty.
 * A call counts when admitted; a throttled one does not. The window slides: at most N calls in any 1000 ms. Every
 * call under a quota is counted too, admitted or throttled, by operation (`GET /__emulator/quotas`): the figures a
 * benchmark needs when the journal, which keeps the last 100 000 calls, has let the first ones go.
 */

const WINDOW_MS = 1000;

/** The groups a quota key may name besides an operation; the most specific key that is set wins. */
export const QUOTA_GROUPS = ['ram-read', 'ram-write', 'cs', 'sts', 'ims', '*'] as const;

/** RAM's documented defaults (reference §2.2: reads 100/s, most writes 20/s, attach/detach and groups 10/s). */
export const RAM_DOCUMENTED_QUOTAS: Readonly<Record<string, number>> = {
  'ram-read': 100,
  'ram-write': 20,
  AttachPolicyToUser: 10,
  AttachPolicyToRole: 10,
  DetachPolicyFromRole: 10,
  AddUserToGroup: 10,
  RemoveUserFromGroup: 10,
};

/** The quota keys that name neither an operation nor a group: a typo would silently set no limit. */
export function unknownQuotaKeys(quotas: Record<string, number>, actions: ReadonlySet<string>): string[] {
  return Object.keys(quotas).filter((k) => !actions.has(k) && !(QUOTA_GROUPS as readonly string[]).includes(k));
}

/** The calls one operation made under its quota since the last reset. */
export interface QuotaCount {
  limit: number;
  admitted: number;
  throttled: number;
}

export class QuotaModel {
  /** `<account>|<operation>` → admission times within the window, oldest first. */
  private readonly windows = new Map<string, number[]>();
  /** Operation name → its calls under a quota. */
  private readonly counts = new Map<string, QuotaCount>();

  /** Admits the call or throws Throttling.User with the milliseconds until a slot frees in x-acs-retry-after. */
  admit(quotas: Record<string, number>, accountId: string, def: ActionDef, now: number): void {
    const limit = limitFor(quotas, def);
    if (limit === undefined) return;
    const key = `${accountId}|${def.product}:${def.name}`;
    let times = this.windows.get(key);
    if (!times) {
      times = [];
      this.windows.set(key, times);
    }
    while (times.length > 0 && times[0] <= now - WINDOW_MS) times.shift();
    let count = this.counts.get(def.name);
    if (!count) {
      count = { limit, admitted: 0, throttled: 0 };
      this.counts.set(def.name, count);
    }
    count.limit = limit;
    if (times.length >= limit) {
      count.throttled++;
      throw new ApiError(E.throttling, 400, 'Request was denied due to user flow control.', undefined, {
        'x-acs-retry-after': String(times[0] + WINDOW_MS - now),
      });
    }
    times.push(now);
    count.admitted++;
  }

  /** Operation name → its quota and calls since the last reset, for the operations that met a quota. */
  tally(): Record<string, QuotaCount> {
    return Object.fromEntries([...this.counts].map(([name, c]) => [name, { ...c }]));
  }

  clear(): void {
    this.windows.clear();
    this.counts.clear();
  }
}

function limitFor(quotas: Record<string, number>, def: ActionDef): number | undefined {
  const group = def.product === 'ram' ? (def.need === 'ram-write' ? 'ram-write' : 'ram-read') : def.product;
  for (const key of [def.name, group, '*']) if (Object.hasOwn(quotas, key)) return quotas[key];
  return undefined;
}
