import { type InputProblem } from '../common/errors';

/**
 * A leaver's last day as HR gives it (a calendar date) and what it means for deletion: the identity is deleted no
 * earlier than the end of that day (UTC) plus a grace period, so that a late correction of the HR record can still
 * rescind the run. The console's start form and the HR intake both use this rule.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const LAST_DAY_RULE = 'must be a date YYYY-MM-DD (the last working day)';

/** `deleteNotBefore` for a last day, or the problem with the field. */
export function deleteNotBeforeOf(
  lastDay: string,
  graceMs: number,
  field = 'lastDay',
): { deleteNotBefore: string } | { problem: InputProblem } {
  const m = DATE.exec(lastDay);
  const start = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== lastDay) {
    return { problem: { field, rule: LAST_DAY_RULE } };
  }
  const endOfDay = start + 24 * 3_600_000;
  return { deleteNotBefore: new Date(endOfDay + graceMs).toISOString() };
}
