import { type InputProblem } from '../../common/errors';
import { isValidActor, isValidRamName, OffboardReasons, type OffboardReason, Rules } from '../../common/validation';
import { type HrIntegration } from '../../config/hr-intake';
import { deleteNotBeforeOf, LAST_DAY_RULE } from '../last-day';

/**
 * An HR event as the intake reads it, after its signature was verified:
 *
 * ```json
 * { "type": "employee.terminated" | "employee.rehired",
 *   "data": { "ramUser": "alice"  (or the person's email at the integration's emailField),
 *             "lastDay": "2026-12-18", "reason": "departure", "ticket": "HR-1042" } }
 * ```
 * The person is named by RAM user name, or by email mapped to one: the local part of an address in one of the
 * integration's domains. A leaver's `deleteNotBefore` is the end of the last day (UTC) plus the grace period.
 */

export const HrEventTypes = { leaver: 'employee.terminated', rehire: 'employee.rehired' } as const;

export type HrEvent =
  | { kind: 'leaver'; ramUser: string; deleteNotBefore: string; reason: OffboardReason; ticket?: string }
  | { kind: 'rehire'; ramUser: string; ticket?: string };

/** The value at a dotted field path of `data`. */
function at(data: Record<string, unknown>, path: string): unknown {
  let value: unknown = data;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const EMAIL = /^([^@\s]+)@([^@\s]+)$/;

/** The RAM user the event names, or the problem: an unknown person is refused, never guessed. */
function ramUserOf(
  data: Record<string, unknown>,
  integration: HrIntegration,
): string | (InputProblem & { unknown?: true }) {
  if (data.ramUser !== undefined) {
    return isValidRamName(data.ramUser) ? data.ramUser : { field: 'data.ramUser', rule: Rules.userName };
  }
  const field = `data.${integration.emailField}`;
  const email = at(data, integration.emailField);
  if (email === undefined) {
    return { field: 'data.ramUser', rule: `is required (or the person's email at ${field})` };
  }
  const m = typeof email === 'string' ? EMAIL.exec(email.trim().toLowerCase()) : null;
  if (!m) return { field, rule: 'must be an email address' };
  if (!integration.emailDomains.includes(m[2])) {
    return {
      unknown: true,
      field,
      rule: `must be an address in ${integration.emailDomains.join(', ') || '(no domain configured)'}: no RAM user maps to it`,
    };
  }
  return isValidRamName(m[1]) ? m[1] : { field, rule: `its local part must be a RAM user name: ${Rules.userName}` };
}

export function readHrEvent(
  payload: unknown,
  integration: HrIntegration,
  graceMs: number,
): { event: HrEvent } | { problems: InputProblem[]; unknownPerson?: boolean } {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { problems: [{ field: 'body', rule: 'must be a JSON object { "type", "data" }' }] };
  }
  const { type, data } = payload as { type?: unknown; data?: unknown };
  const kinds = Object.values(HrEventTypes) as string[];
  if (typeof type !== 'string' || !kinds.includes(type)) {
    return { problems: [{ field: 'type', rule: `must be one of ${kinds.join(', ')}` }] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { problems: [{ field: 'data', rule: 'must be an object' }] };
  }
  const d = data as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const ramUser = ramUserOf(d, integration);
  if (typeof ramUser !== 'string') {
    const { unknown, ...problem } = ramUser;
    if (unknown) return { problems: [problem], unknownPerson: true };
    problems.push(problem);
  }
  if (d.ticket !== undefined && !isValidActor(d.ticket)) problems.push({ field: 'data.ticket', rule: Rules.actor });
  const ticket = d.ticket as string | undefined;

  if (type === HrEventTypes.rehire) {
    return problems.length > 0 ? { problems } : { event: { kind: 'rehire', ramUser: ramUser as string, ticket } };
  }
  const reason = (d.reason ?? 'departure') as OffboardReason;
  if (!OffboardReasons.includes(reason)) problems.push({ field: 'data.reason', rule: Rules.reason });
  let deleteNotBefore: string | undefined;
  if (typeof d.lastDay !== 'string') problems.push({ field: 'data.lastDay', rule: LAST_DAY_RULE });
  else {
    const derived = deleteNotBeforeOf(d.lastDay, graceMs, 'data.lastDay');
    if ('problem' in derived) problems.push(derived.problem);
    else deleteNotBefore = derived.deleteNotBefore;
  }
  if (problems.length > 0) return { problems };
  return { event: { kind: 'leaver', ramUser: ramUser as string, deleteNotBefore: deleteNotBefore!, reason, ticket } };
}
