/**
 * Stages of the two workflows. The current one is always in the `OffboardingStage` search attribute and in the
 * `status` query. Values are stable strings: operators filter on them (`OffboardingStage = 'Blocked'`).
 */
export const OffboardingStage = {
  Inventory: 'Inventory',
  DependencyCheck: 'DependencyCheck',
  Quarantine: 'Quarantine',
  Revocation: 'Revocation',
  Verification: 'Verification',
  AwaitingApproval: 'AwaitingApproval',
  /** Approved; a durable timer holds the run until `deleteNotBefore`. Rescind is still possible. */
  ScheduledDeletion: 'ScheduledDeletion',
  Deletion: 'Deletion',
  /**
   * Held by the blast-radius failsafe (too many deletions on the account in its window): waits for a second admin's
   * `confirmDeletions`. Nothing is deleted yet; rescind is still possible.
   */
  DeletionPaused: 'DeletionPaused',
  /** A compensation run (rejection with restore, rescind) is putting access back. */
  Restoring: 'Restoring',
  /** A non-retryable error stopped a step; the run waits for `retry` or `abort`. */
  Blocked: 'Blocked',
  // End states.
  Completed: 'Completed',
  /** revokeKubeconfig's end state: revocation verified, nothing deleted. */
  Revoked: 'Revoked',
  AlreadyGone: 'AlreadyGone',
  Rejected: 'Rejected',
  ApprovalExpired: 'ApprovalExpired',
  Aborted: 'Aborted',
  Rescinded: 'Rescinded',
  Cancelled: 'Cancelled',
  /** The run was started without a valid signed request (by anyone with raw Temporal access): nothing was changed. */
  Refused: 'Refused',
} as const;

export type OffboardingStage = (typeof OffboardingStage)[keyof typeof OffboardingStage];

export const terminalStages: readonly OffboardingStage[] = [
  OffboardingStage.Completed,
  OffboardingStage.Revoked,
  OffboardingStage.AlreadyGone,
  OffboardingStage.Rejected,
  OffboardingStage.ApprovalExpired,
  OffboardingStage.Aborted,
  OffboardingStage.Rescinded,
  OffboardingStage.Cancelled,
  OffboardingStage.Refused,
];

export function isTerminalStage(stage: OffboardingStage): boolean {
  return terminalStages.includes(stage);
}

/** Stages before the point of no return, in which HR may still rescind. */
export const rescindableStages: readonly OffboardingStage[] = [
  OffboardingStage.Inventory,
  OffboardingStage.DependencyCheck,
  OffboardingStage.Quarantine,
  OffboardingStage.Revocation,
  OffboardingStage.Verification,
  OffboardingStage.AwaitingApproval,
  OffboardingStage.ScheduledDeletion,
  OffboardingStage.DeletionPaused,
  OffboardingStage.Blocked,
];
