import { type InputProblem } from './errors';

/**
 * Input rules, checked before any API call (by the start helpers, and again by the workflows so that a run started
 * by another tool cannot slip past them). Each rule is written as the sentence shown to the caller.
 */

export const OffboardReasons = ['departure', 'compromise', 'other'] as const;
export type OffboardReason = (typeof OffboardReasons)[number];

export const IdentityTypes = ['user', 'role'] as const;
export type IdentityType = (typeof IdentityTypes)[number];

// RAM CreateUser/CreateRole: 1-64 characters, letters, digits, periods, hyphens and underscores.
const RAM_NAME = /^[A-Za-z0-9._-]{1,64}$/;
// Alibaba Cloud account ids are 16 digits.
const ACCOUNT_ID = /^\d{16}$/;
// ACK/ACS cluster ids start with `c` (`c` + 32 hex characters on the real service); lowercase letters, digits, hyphens.
const CLUSTER_ID = /^c[a-z0-9-]{1,63}$/;
// Subjects at an identity provider (Okta ids, Entra object ids, Keycloak UUIDs, `auth0|…`): printable, no quotes,
// backslashes or spaces, so that one can stand in a visibility query.
const ACTOR = /^[A-Za-z0-9._@+|:=-]{1,255}$/;

export const Rules = {
  userName: 'must be 1-64 characters: letters, digits, ".", "-" or "_" (RAM user name rules)',
  roleName: 'must be 1-64 characters: letters, digits, ".", "-" or "_" (RAM role name rules)',
  accountId: 'must be the 16-digit Alibaba Cloud account id',
  clusterId: 'must start with "c" followed by 1-63 lowercase letters, digits or "-" (an ACK/ACS cluster id)',
  clusterIds: 'must be a non-empty list of distinct cluster ids when given',
  reason: `must be one of ${OffboardReasons.join(', ')}`,
  actor:
    'must be 1-255 characters: letters, digits, ".", "_", "@", "+", "|", ":", "=" or "-" (an identity provider subject)',
  identityType: `must be one of ${IdentityTypes.join(', ')}`,
  root: 'the root account cannot be offboarded: Alibaba does not support cleaning its permissions',
  self: "the worker's own identity cannot be offboarded: Alibaba does not support cleaning the caller's permissions",
  text: 'must be a non-empty text of at most 1000 characters, without control or format characters',
  duration: 'must be a positive duration in milliseconds or a string like "30s", "24h", "7d"',
} as const;

export function isValidRamName(name: unknown): name is string {
  return typeof name === 'string' && RAM_NAME.test(name);
}
export function isValidAccountId(id: unknown): id is string {
  return typeof id === 'string' && ACCOUNT_ID.test(id);
}
export function isValidClusterId(id: unknown): id is string {
  return typeof id === 'string' && CLUSTER_ID.test(id);
}
export function isValidActor(actor: unknown): actor is string {
  return typeof actor === 'string' && ACTOR.test(actor);
}
// Control characters (a terminal escape, a newline that forges a log line) and format characters (a right-to-left
// override, a zero-width space) make a text show something other than what it holds.
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;

/** Free text people type (comments, reasons, tickets, names): visible characters and spaces only. */
export function isPrintableText(text: unknown, maxLength: number): text is string {
  return (
    typeof text === 'string' && text.trim().length > 0 && text.length <= maxLength && !CONTROL_OR_FORMAT.test(text)
  );
}

export function isNonEmptyText(text: unknown): text is string {
  return isPrintableText(text, 1000);
}

/** An optional free-text field of at most `maxLength` characters. */
export function checkText(value: unknown, field: string, maxLength = 1000): InputProblem[] {
  if (value === undefined || isPrintableText(value, maxLength)) return [];
  return [
    {
      field,
      rule: `must be a non-empty text of at most ${maxLength} characters, without control or format characters`,
    },
  ];
}

/** An identity as `user/<name>` or `role/<name>`, the form used in ids, search attributes and configuration. */
export function identityRef(type: IdentityType, name: string): string {
  return `${type}/${name}`;
}

export interface TargetLike {
  type: unknown;
  name: unknown;
}

/** Problems with a target identity; the root account and the worker's own identity are refused here. */
export function checkTarget(
  target: TargetLike | undefined,
  context: { field: string; accountId?: string; workerIdentity?: string },
): InputProblem[] {
  const f = context.field;
  if (!target || typeof target !== 'object')
    return [{ field: f, rule: 'is required: { type: "user" | "role", name }' }];
  const problems: InputProblem[] = [];
  const typeOk = target.type === 'user' || target.type === 'role';
  if (!typeOk) problems.push({ field: `${f}.type`, rule: Rules.identityType });
  if (!isValidRamName(target.name)) {
    problems.push({ field: `${f}.name`, rule: target.type === 'role' ? Rules.roleName : Rules.userName });
  } else if (typeOk) {
    if (context.accountId !== undefined && (target.name === context.accountId || target.name === 'root')) {
      problems.push({ field: `${f}.name`, rule: Rules.root });
    }
    if (
      context.workerIdentity !== undefined &&
      identityRef(target.type as IdentityType, target.name) === context.workerIdentity
    ) {
      problems.push({ field: f, rule: Rules.self });
    }
  }
  return problems;
}

export function checkClusterIds(clusterIds: unknown, field = 'clusterIds'): InputProblem[] {
  if (clusterIds === undefined) return [];
  if (!Array.isArray(clusterIds) || clusterIds.length === 0 || new Set(clusterIds).size !== clusterIds.length) {
    return [{ field, rule: Rules.clusterIds }];
  }
  return clusterIds.flatMap((id, i) =>
    isValidClusterId(id) ? [] : [{ field: `${field}[${i}]`, rule: Rules.clusterId }],
  );
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Durations in run inputs: milliseconds, or "500ms", "30s", "10m", "24h", "7d". Undefined when invalid. */
export function parseDurationMs(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
