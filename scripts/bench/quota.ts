/**
 * The quota side of the bulk benchmark (`--quota`, `--quotas key=N,…`): one set of figures is the emulator's quota
 * model and, shared among the workers, their own rate limits; after the run, the emulator's counts give the
 * throttling errors and the bound the quota allows — the busiest limited operation's calls ÷ its calls per second,
 * since Alibaba (and the emulator) count each API on its own: 1,000 AttachPolicyToUser at 10/s take 100 s however
 * idle the other APIs are. The bound counts the calls the bulk needs: a call repeated with the same parameters (an
 * activity retried after it timed out waiting for its slot, a deny policy created again by every run) is counted
 * once, so repeats show as time over the bound, not as a higher bound.
 */
import { type JournalEntry } from '../../emulator';
import { DOCUMENTED_RATE_LIMITS, limitOf, parseRateLimits, QUOTA_GROUPS } from '../../activities/rate-limit';

/** Calls per second by key: a quota group (`ram-write`) or one operation (`AttachPolicyToUser`). */
export type Quotas = Readonly<Record<string, number>>;

/**
 * The documented figures (RAM's quotas; CS, IMS, STS as the worker's defaults), with `spec` (`ram-write=20,cs=50`)
 * over them, every operation with a figure of its own spelled out as the worker reads it (limitOf: `ram-write=5`
 * brings AttachPolicyToUser's documented 10 down to 5). The emulator picks an operation's own key over its group's
 * too, so both sides then limit every operation alike.
 */
export function benchQuotas(spec: string | undefined): Quotas {
  const parsed = spec === undefined ? { limits: {} } : parseRateLimits(spec);
  if ('problems' in parsed) throw new Error(`--quotas: ${parsed.problems.join('; ')}`);
  const limits = parsed.limits;
  if (limits === 'off') throw new Error('--quotas: off is no quota; leave out --quota instead');
  const quotas: Record<string, number> = {};
  for (const group of QUOTA_GROUPS) quotas[group] = limits[group] ?? DOCUMENTED_RATE_LIMITS[group];
  for (const key of Object.keys({ ...DOCUMENTED_RATE_LIMITS, ...limits })) {
    // A number: limitOf is undefined only for `off`, refused above.
    if (!(key in quotas)) quotas[key] = limitOf(key, limits) as number;
  }
  return quotas;
}

/**
 * OFFBOARD_ALIBABA_RATE_LIMITS for each of `workers` workers: the quota divided among them (rounded down), since each
 * worker has its own limiter and the account's quota is one. Refused when a figure cannot be split (below one each).
 */
export function workerShare(quotas: Quotas, workers: number): string {
  const tooSmall = Object.entries(quotas).filter(([, n]) => n < workers);
  if (tooSmall.length > 0) {
    throw new Error(
      `--workers ${workers}: ${tooSmall.map(([k, n]) => `${k}=${n}`).join(', ')} cannot be shared by ${workers} workers`,
    );
  }
  return Object.entries(quotas)
    .map(([key, n]) => `${key}=${Math.floor(n / workers)}`)
    .join(',');
}

/** `GET /__emulator/quotas`: every call a quota met, by operation. */
export interface QuotaTally {
  quotas: Quotas;
  calls: Record<string, { limit: number; admitted: number; throttled: number }>;
}

export async function readQuotaTally(emulatorUrl: string): Promise<QuotaTally> {
  const res = await fetch(`${emulatorUrl}/__emulator/quotas`);
  if (!res.ok) throw new Error(`emulator quotas: ${res.status} ${await res.text()}`);
  return (await res.json()) as QuotaTally;
}

export async function setEmulatorQuotas(emulatorUrl: string, quotas: Quotas): Promise<void> {
  const res = await fetch(`${emulatorUrl}/__emulator/options`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ quotas }),
  });
  if (!res.ok) throw new Error(`emulator refused the quotas: ${res.status} ${await res.text()}`);
}

/** The emulator's journal after call `sinceSeq` (it keeps the last 100,000 calls: enough for 3,000 identities). */
export async function readJournal(emulatorUrl: string, sinceSeq = 0): Promise<JournalEntry[]> {
  const res = await fetch(`${emulatorUrl}/__emulator/journal?since=${sinceSeq}`);
  if (!res.ok) throw new Error(`emulator journal: ${res.status} ${await res.text()}`);
  return (await res.json()) as JournalEntry[];
}

/** Operation → its admitted calls in `entries`, a call with the same parameters as an earlier one counted once. */
export function distinctCalls(entries: readonly JournalEntry[]): Map<string, number> {
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  for (const e of entries) {
    if (e.errorCode?.startsWith('Throttling')) continue;
    const key = `${e.action} ${JSON.stringify(Object.entries(e.params).sort(([a], [b]) => a.localeCompare(b)))}`;
    if (seen.has(key)) continue;
    seen.add(key);
    counts.set(e.action, (counts.get(e.action) ?? 0) + 1);
  }
  return counts;
}

/** One limited operation's calls between two tallies, and the seconds its quota needs for the distinct ones. */
interface OperationLoad {
  operation: string;
  calls: number;
  distinct: number;
  limit: number;
  throttled: number;
  seconds: number;
}

/** The calls each limited operation got between `before` and `after`, busiest (most seconds of quota) first. */
export function quotaLoads(before: QuotaTally, after: QuotaTally, distinct: Map<string, number>): OperationLoad[] {
  return Object.entries(after.calls)
    .map(([operation, c]) => {
      const earlier = before.calls[operation] ?? { admitted: 0, throttled: 0 };
      const calls = c.admitted - earlier.admitted;
      const needed = Math.min(calls, distinct.get(operation) ?? calls);
      return {
        operation,
        calls,
        distinct: needed,
        limit: c.limit,
        throttled: c.throttled - earlier.throttled,
        seconds: needed / c.limit,
      };
    })
    .sort((a, b) => b.seconds - a.seconds);
}

/** The lines `--quota` adds to the report. */
export function quotaReport(loads: OperationLoad[], wallSeconds: number, workers: number): string[] {
  const throttled = loads.reduce((sum, l) => sum + l.throttled, 0);
  const [busiest] = loads;
  const byOperation = loads
    .filter((l) => l.throttled > 0)
    .map((l) => `${l.operation} ${l.throttled}`)
    .join(', ');
  const lines = [
    `\nquota: the emulator limits each API per account, the ${workers === 1 ? 'worker to the same figures' : `${workers} workers to an equal share each`}`,
    `  throttling errors counted by the emulator: ${throttled}${byOperation ? ` (${byOperation})` : ''} (target 0)`,
  ];
  if (!busiest) return [...lines, '  no call met a quota: no bound to compare with'];
  const made = (l: OperationLoad) => (l.calls > l.distinct ? ` (${l.calls} made)` : '');
  lines.push(
    `  bound the quota allows: ${busiest.seconds.toFixed(1)} s (${busiest.operation}: ${busiest.distinct} calls at ${busiest.limit}/s); ` +
      `the run took ${(wallSeconds / busiest.seconds).toFixed(2)}× of it (target ≤ 1.2×)`,
    `  busiest: ${loads
      .slice(0, 4)
      .map((l) => `${l.operation} ${l.distinct}${made(l)} at ${l.limit}/s = ${l.seconds.toFixed(1)} s`)
      .join(', ')}`,
  );
  const repeated = loads.filter((l) => l.calls > l.distinct);
  if (repeated.length > 0) {
    lines.push(
      `  repeated with the same parameters (not in the bound): ${repeated
        .map((l) => `${l.operation} ${l.calls - l.distinct} of ${l.calls}`)
        .join(', ')}`,
    );
  }
  return lines;
}
