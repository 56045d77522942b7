/**
 * What quarantine puts on an identity so that nothing it holds works any more, while it can still be undone: an
 * explicit deny-all custom policy (RAM evaluates policies on every request, so sessions already open stop too: STS
 * tokens of a role, console sessions and keys of a user), and for a role a trust policy nobody can assume. Plain data,
 * shared by the activities that apply them and the workflow that decides whether to.
 */

/** The custom policy the worker creates once per account (idempotent) and attaches to every quarantined identity. */
export const DENY_ALL_POLICY = 'AcsOffboardingDenyAll';

export const DENY_ALL_DESCRIPTION =
  'Attached by acs-offboarding while an identity is offboarded: denies every action. Detached by restore or deletion.';

/** `Effect: Deny, Action: *, Resource: *`: an explicit deny wins over every Allow the identity holds. */
export const DENY_ALL_DOCUMENT = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
});

/**
 * A trust policy that lets nobody assume the role: no Allow statement at all (a role is assumable only where its
 * trust policy allows it), and an explicit Deny of the account's own principals, because RAM wants at least one
 * statement and a Deny also wins over any Allow added later by mistake.
 */
export function lockedTrustPolicy(accountId: string): string {
  return JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${accountId}:root`] } }],
  });
}

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}

function statementsOf(text: string | undefined): Statement[] | undefined {
  try {
    const doc = JSON.parse(text ?? '') as { Statement?: unknown };
    return Array.isArray(doc.Statement) ? (doc.Statement as Statement[]) : undefined;
  } catch {
    return undefined;
  }
}

const only = (v: unknown, value: string) => v === value || (Array.isArray(v) && v.length === 1 && v[0] === value);

/** True when `text` is exactly the deny-all document (in any equivalent spelling): safe to attach by its name. */
export function isDenyAllDocument(text: string | undefined): boolean {
  const statements = statementsOf(text);
  return (
    statements?.length === 1 &&
    statements[0].Effect === 'Deny' &&
    only(statements[0].Action, '*') &&
    only(statements[0].Resource, '*') &&
    statements[0].Condition === undefined
  );
}

/** True when no statement of the trust policy allows anything: the role is already locked. */
export function isLockedTrustPolicy(text: string | undefined): boolean {
  const statements = statementsOf(text);
  return statements !== undefined && statements.length > 0 && statements.every((s) => s.Effect === 'Deny');
}
