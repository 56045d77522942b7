/**
 * Who may do what: the one permission table. The API checks it before it signs anything (403 names the missing
 * role), and the workflow checks it again on the signed token, so a token with the wrong roles is refused by the run
 * itself. Roles come from the identity provider's groups, mapped by the API's configuration.
 */
export const Roles = ['hr', 'admin', 'security', 'oncall'] as const;
export type Role = (typeof Roles)[number];

export const Actions = [
  'startOffboarding',
  'startRevocation',
  'plan',
  'read',
  'approveDeletion',
  'rejectDeletion',
  'resolveDependencies',
  'retry',
  'abort',
  'rescind',
  'sweep',
  'scheduleSweep',
  'undo',
  'approveUndo',
  'confirmDeletions',
] as const;
export type Action = (typeof Actions)[number];

export const allowedRoles: Readonly<Record<Action, readonly Role[]>> = {
  startOffboarding: ['hr'],
  startRevocation: ['security'],
  plan: ['hr', 'admin', 'security', 'oncall'],
  read: ['hr', 'admin', 'security', 'oncall'],
  approveDeletion: ['admin'],
  rejectDeletion: ['admin'],
  resolveDependencies: ['admin'],
  retry: ['admin', 'oncall'],
  abort: ['admin', 'oncall'],
  // HR may rescind their own request (checked on the subject); an admin any.
  rescind: ['hr', 'admin'],
  // A sweep only revokes kubeconfigs of identities RAM confirms are gone; security may run one on demand.
  sweep: ['admin', 'security'],
  // The schedule's grant is carried by every scheduled run: only an admin signs it.
  scheduleSweep: ['admin'],
  // Undo brings an identity back: asked by one admin, approved by another (four eyes).
  undo: ['admin'],
  approveUndo: ['admin'],
  // The blast-radius failsafe's second admin (common/deletion-failsafe.ts): not the run's approver, not its requester.
  confirmDeletions: ['admin'],
};

export function mayDo(action: Action, roles: readonly string[]): boolean {
  return allowedRoles[action].some((r) => roles.includes(r));
}

/** "admin" or "admin or oncall": for refusals that name the missing role. */
export function rolesNeeded(action: Action): string {
  return allowedRoles[action].join(' or ');
}
