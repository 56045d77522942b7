import { type InputProblem } from '../../common/errors';
import { type MessageName } from '../../common/messages';
import { type IdentityType, isNonEmptyText, isValidActor, type OffboardReason, Rules } from '../../common/validation';
import { deleteNotBeforeOf } from '../last-day';
import { badInput } from '../problems';
import { ticket } from '../schemas';
import { type OffboardingRequest, type RevocationRequest } from '../temporal/start';

/**
 * The console's forms as the requests and decisions the JSON API takes. A form sends strings: empty optional fields
 * become absent, a checkbox becomes a boolean, cluster ids are split; every field is then checked by the same rules
 * the API applies (the start helpers check the rest), and a problem names the field and its rule.
 */

/** What @fastify/formbody makes of a form: a repeated field is an array. */
export type FormBody = Record<string, string | string[] | undefined>;

/** The form's own fields, as typed: shown again when the form is refused, carried by the plan's confirm form. */
export type FormValues = Record<string, string>;

const FIELDS = ['targetType', 'targetName', 'reason', 'ticket', 'comment', 'lastDay', 'deleteNotBefore', 'clusters'];

export function valuesOf(body: FormBody | undefined, fields: readonly string[] = FIELDS): FormValues {
  const values: FormValues = {};
  for (const name of fields) {
    const raw = body?.[name];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value) values[name] = value;
  }
  return values;
}

function clusterIdsOf(value: string | undefined): string[] | undefined {
  const ids = value?.split(/[\s,]+/).filter(Boolean);
  return ids && ids.length > 0 ? ids : undefined;
}

function targetOf(values: FormValues): { type: IdentityType; name: string } {
  return { type: values.targetType === 'role' ? 'role' : 'user', name: values.targetName ?? '' };
}

/** A problem's field, as the form's error slots name them. */
export function fieldErrors(problems: readonly InputProblem[]): Record<string, string> {
  return Object.fromEntries(problems.map((p) => [p.field, p.rule]));
}

/** The start form as an offboarding request; `graceMs` turns a last day into `deleteNotBefore`. */
export function offboardingRequestOf(values: FormValues, graceMs: number): OffboardingRequest {
  const problems: InputProblem[] = [];
  if (!values.targetName) problems.push({ field: 'target.name', rule: 'is required' });
  if (values.ticket !== undefined && !isValidActor(values.ticket))
    problems.push({ field: 'ticket', rule: ticket.description });
  let deleteNotBefore: string | undefined;
  if (values.lastDay && values.deleteNotBefore) {
    problems.push({ field: 'deleteNotBefore', rule: 'give either the last day or a time to delete, not both' });
  } else if (values.lastDay) {
    const derived = deleteNotBeforeOf(values.lastDay, graceMs);
    if ('problem' in derived) problems.push(derived.problem);
    else deleteNotBefore = derived.deleteNotBefore;
  } else if (values.deleteNotBefore) {
    // The form's local date-time carries no zone: the label says UTC.
    // The start check applies the timing bounds and names the field when the value is not a real time.
    deleteNotBefore = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(values.deleteNotBefore)
      ? `${values.deleteNotBefore}:00Z`
      : values.deleteNotBefore;
  }
  if (problems.length > 0) throw badInput(problems);
  return {
    target: targetOf(values),
    reason: (values.reason ?? 'departure') as OffboardReason,
    ...(values.ticket ? { ticket: values.ticket } : {}),
    ...(values.comment ? { comment: values.comment } : {}),
    ...(clusterIdsOf(values.clusters) ? { clusterIds: clusterIdsOf(values.clusters) } : {}),
    ...(deleteNotBefore ? { deleteNotBefore } : {}),
  };
}

/** The leak-response form as a kubeconfig revocation (with Force: the workflow's default). */
export function revocationRequestOf(values: FormValues): RevocationRequest {
  if (!values.targetName) throw badInput([{ field: 'target.name', rule: 'is required' }]);
  return {
    target: targetOf(values),
    reason: 'compromise',
    ...(values.comment ? { comment: values.comment } : {}),
    ...(clusterIdsOf(values.clusters) ? { clusterIds: clusterIdsOf(values.clusters) } : {}),
  };
}

/**
 * A decision form as the JSON API's decision body (decisions.ts turns that into the signed arguments). Required texts
 * are checked here, so an empty reason is refused before anything is signed.
 */
export function decisionBodyOf(name: MessageName, body: FormBody | undefined): Record<string, unknown> {
  const v = valuesOf(body, ['comment', 'reason', 'note', 'decision', 'restoreAccess']);
  const need = (field: string) => (isNonEmptyText(v[field]) ? [] : [{ field, rule: Rules.text }]);
  const optional = (field: string) =>
    v[field] === undefined || isNonEmptyText(v[field]) ? [] : [{ field, rule: Rules.text }];
  const checks: Record<MessageName, () => InputProblem[]> = {
    approveDeletion: () => optional('comment'),
    rejectDeletion: () => need('reason'),
    resolveDependencies: () => [
      ...(v.decision === 'proceed' || v.decision === 'abort'
        ? []
        : [{ field: 'decision', rule: 'must be "proceed" or "abort"' }]),
      ...need('note'),
    ],
    rescind: () => need('reason'),
    retry: () => optional('reason'),
    abort: () => need('reason'),
    approveUndo: () => optional('comment'),
    rejectUndo: () => need('reason'),
    confirmDeletions: () => need('reason'),
  };
  const problems = checks[name]();
  if (problems.length > 0) throw badInput(problems);
  return {
    ...(v.comment !== undefined ? { comment: v.comment } : {}),
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    ...(v.note !== undefined ? { note: v.note } : {}),
    ...(v.decision !== undefined ? { decision: v.decision } : {}),
    restoreAccess: v.restoreAccess === 'true',
  };
}
