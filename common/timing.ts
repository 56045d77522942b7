import { type InputProblem } from './errors';
import { parseDurationMs } from './validation';

/**
 * Durations and dates in run inputs, and their bounds. An unbounded duration once wedged a run (a deadline past
 * JavaScript's last date is a RangeError, after access was already cut) and a one-second reminder flooded a history
 * until Temporal terminated the run; an impossible date (2026-02-31) was read as another day. So every duration has a
 * floor and a ceiling, and a date must say its offset, exist in the calendar and lie within a year.
 *
 * The ceilings are fixed. The floor of reminders and approval windows comes from the worker's configuration:
 * production's one hour, or one second in emulator mode with `OFFBOARD_TIMING_BOUNDS=fast` (tests, demos), which the
 * worker refuses in live mode. The workflow checks its input against the bounds its worker serves, and clamps again
 * where it uses a value.
 */

const SECOND = 1_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface TimingBounds {
  /** Approval and Blocked reminders: how often at most and at least. */
  reminderMinMs: number;
  reminderMaxMs: number;
  /** How long an approval may stay open. */
  expiryMinMs: number;
  expiryMaxMs: number;
  /** How far from now `deleteNotBefore` may lie, either way. */
  deleteNotBeforeWithinMs: number;
}

/** What the API, the CLI and a production worker apply. */
export const PRODUCTION_TIMING: TimingBounds = {
  reminderMinMs: HOUR,
  reminderMaxMs: 7 * DAY,
  expiryMinMs: HOUR,
  expiryMaxMs: 30 * DAY,
  deleteNotBeforeWithinMs: 365 * DAY,
};

/** Emulator mode only (`OFFBOARD_TIMING_BOUNDS=fast`): waits down to a second for tests and demos; ceilings unchanged. */
export const FAST_TIMING: TimingBounds = { ...PRODUCTION_TIMING, reminderMinMs: SECOND, expiryMinMs: SECOND };

/**
 * How many reminders of one wait go out at the interval the run chose before each next one comes twice as late (up to
 * the bounds' longest interval, 7 days). A wait with no deadline (Blocked) would otherwise add a timer, a workflow
 * task and a notification for every reminder until Temporal terminates the run at 51,200 events (a year at 1 h).
 * Twelve: half a day of hourly reminders, or twelve days of daily ones, is long enough that on-call has seen them all
 * at the rate they asked for; past that, nobody is reading them, and a slower reminder still tells the next shift.
 * Small enough, too, that a test at 1-second reminders sees the doubling within twenty seconds.
 */
export const REMINDERS_AT_CHOSEN_INTERVAL = 12;

/**
 * The gap before the next reminder of a wait, after `sent` reminders at `everyMs`: `everyMs` for the first
 * REMINDERS_AT_CHOSEN_INTERVAL, then doubling (2×, 4×, …) up to `longestMs` — never shorter than `everyMs`.
 */
export function reminderGapMs(everyMs: number, sent: number, longestMs: number): number {
  if (sent < REMINDERS_AT_CHOSEN_INTERVAL) return everyMs;
  const doublings = sent - REMINDERS_AT_CHOSEN_INTERVAL + 1;
  return Math.max(everyMs, Math.min(everyMs * 2 ** doublings, longestMs));
}

/** "1 hour", "7 days": a bound as the rules say it. */
export function describeDuration(ms: number): string {
  const [unit, size] =
    ms % DAY === 0
      ? ['day', DAY]
      : ms % HOUR === 0
        ? ['hour', HOUR]
        : ms % SECOND === 0
          ? ['second', SECOND]
          : ['ms', 1];
  const n = ms / size;
  return unit === 'ms' ? `${n} ms` : `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function durationRule(minMs: number, maxMs: number): string {
  return `must be a duration from ${describeDuration(minMs)} to at most ${describeDuration(maxMs)}: milliseconds, or a string like "90m", "24h", "7d"`;
}

/** A duration input within [minMs, maxMs]; no problem when absent. */
export function checkDurationWithin(value: unknown, field: string, minMs: number, maxMs: number): InputProblem[] {
  if (value === undefined) return [];
  const ms = typeof value === 'number' || typeof value === 'string' ? parseDurationMs(value) : undefined;
  if (ms === undefined || ms < minMs || ms > maxMs) return [{ field, rule: durationRule(minMs, maxMs) }];
  return [];
}

/** The reminder, expiry and Blocked-reminder durations of a run input. */
export function checkRunDurations(
  input: { approvalReminderEvery?: unknown; approvalExpiresAfter?: unknown; blockedReminderEvery?: unknown },
  bounds: TimingBounds,
): InputProblem[] {
  return [
    ...checkDurationWithin(
      input.approvalReminderEvery,
      'approvalReminderEvery',
      bounds.reminderMinMs,
      bounds.reminderMaxMs,
    ),
    ...checkDurationWithin(input.approvalExpiresAfter, 'approvalExpiresAfter', bounds.expiryMinMs, bounds.expiryMaxMs),
    ...checkDurationWithin(
      input.blockedReminderEvery,
      'blockedReminderEvery',
      bounds.reminderMinMs,
      bounds.reminderMaxMs,
    ),
  ];
}

// YYYY-MM-DDTHH:MM[:SS[.fraction]] followed by Z or ±HH:MM: the offset is required, so nobody's local time is guessed.
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds of an ISO-8601 date-time with an explicit offset, or undefined unless every field exists as
 * written (a round trip gives the same fields): 2026-02-31 is refused, not read as March 3rd.
 */
export function parseIsoWithOffset(value: string): number | undefined {
  const m = ISO_WITH_OFFSET.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const offsetMinutes = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (Math.abs(offsetMinutes) > 14 * 60 || Number(m[11] ?? 0) > 59) return undefined;
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  local.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  const sameFields =
    local.getUTCFullYear() === year &&
    local.getUTCMonth() === month - 1 &&
    local.getUTCDate() === day &&
    local.getUTCHours() === hour &&
    local.getUTCMinutes() === minute &&
    local.getUTCSeconds() === second;
  if (!sameFields) return undefined;
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  return local.getTime() + fraction - offsetMinutes * 60_000;
}

export const deleteNotBeforeRule = (bounds: TimingBounds) =>
  `must be an ISO-8601 date-time with an explicit offset (Z or ±hh:mm) that exists in the calendar and lies within ${describeDuration(bounds.deleteNotBeforeWithinMs)} of now, e.g. 2026-12-31T18:00:00+08:00`;

/** `deleteNotBefore`: an explicit offset, a real date, within the bound of `nowMs`. */
export function checkDeleteNotBefore(
  value: unknown,
  field: string,
  bounds: TimingBounds,
  nowMs: number,
): InputProblem[] {
  if (value === undefined) return [];
  const at = typeof value === 'string' ? parseIsoWithOffset(value) : undefined;
  if (at === undefined || Math.abs(at - nowMs) > bounds.deleteNotBeforeWithinMs) {
    return [{ field, rule: deleteNotBeforeRule(bounds) }];
  }
  return [];
}

/** Defence in depth where the workflow uses a value: whatever slipped past the checks stays within [min, max]. */
export function clampMs(ms: number, minMs: number, maxMs: number): number {
  if (!Number.isFinite(ms)) return maxMs;
  return Math.min(Math.max(ms, minMs), maxMs);
}
