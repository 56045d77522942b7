/**
 * Stable failure types. Activities throw `ApplicationFailure`s whose `type` is one of these; update validators
 * refuse with one of the message types. The workflow and the CLI branch on the type, never on the message text.
 */

/** What an Alibaba Cloud (or other I/O) error means to the orchestrator. */
export const FailureType = {
  /** The thing does not exist. Activities whose goal is absence treat it as success and never throw it. */
  NotFound: 'NotFound',
  /** Rate limited. Retryable. */
  Throttled: 'Throttled',
  /** 5xx, timeouts, dropped connections, unparseable bodies. Retryable. */
  Unavailable: 'Unavailable',
  /** The worker's credentials may not do this (StatusForbidden, NoPermission, bad signature or key). */
  AccessDenied: 'AccessDenied',
  /** The target's state forbids the call (delete conflicts, quota). Needs a human. */
  Conflict: 'Conflict',
  /** The request itself is wrong (bad name or id, root account, the worker's own identity). */
  InvalidInput: 'InvalidInput',
  /**
   * Alibaba refused a clean without Force, and said why in words we recognise: the identity used a cluster in the
   * last 7 days, or the cluster has no audit logs to check that. An admin decides (proceed = Force).
   */
  RecentClusterAccess: 'RecentClusterAccess',
  /**
   * Alibaba refused a clean without Force with an answer we cannot classify (no documented code exists for the
   * refusal): an admin decides from the raw code and message, as for RecentClusterAccess, rather than the run blocking.
   */
  UnclearCleanRefusal: 'UnclearCleanRefusal',
  /** The asynchronous clean task is still running. Retryable: the activity retry policy polls it. */
  CleanTaskPending: 'CleanTaskPending',
  /**
   * The asynchronous clean task ended without success (`fail`, `timeout`, `canceled`) or cannot be found any more.
   * Needs a human; the retry issues a new clean.
   */
  CleanTaskFailed: 'CleanTaskFailed',
  /** A verification read still shows a usable kubeconfig or an RBAC grant. Retried a bounded number of times. */
  RevocationNotVerified: 'RevocationNotVerified',
  /** The target resolves to the worker's own principal (by id, whatever its name): the run changes nothing. */
  TargetIsWorker: 'TargetIsWorker',
  /** A deletion activity was called without a proof of verified revocation for this identity. */
  MissingRevocationProof: 'MissingRevocationProof',
  /**
   * A cluster whose revocation the worker cannot verify: it is not the cluster's RBAC admin (so grants there are
   * invisible to it), or the cluster reports a kubeconfig state `Unknown`. Needs a human.
   */
  UnverifiableCluster: 'UnverifiableCluster',
  /**
   * The target's name now resolves to another identity than the one whose revocation was verified (deleted and
   * re-created under the same name). Deleting by name would delete someone else. Needs a human.
   */
  IdentityChanged: 'IdentityChanged',
  /**
   * Since verification, the identity got a usable kubeconfig or an RBAC grant again: revocation must be redone (and
   * approved again) before deletion. The workflow takes it itself.
   */
  UsableAgain: 'UsableAgain',
  /** An error the classifier does not know (a bug, an unexpected answer). Not retried blindly: a human looks. */
  Unexpected: 'Unexpected',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that a retry cannot fix: the workflow moves to Blocked (or to a dependency decision). */
export const nonRetryableFailureTypes: readonly FailureType[] = [
  FailureType.AccessDenied,
  FailureType.Conflict,
  FailureType.InvalidInput,
  FailureType.RecentClusterAccess,
  FailureType.UnclearCleanRefusal,
  FailureType.CleanTaskFailed,
  FailureType.TargetIsWorker,
  FailureType.MissingRevocationProof,
  FailureType.UnverifiableCluster,
  FailureType.IdentityChanged,
  FailureType.UsableAgain,
  FailureType.Unexpected,
];

/** Why an update (or signal) was refused. Carried as the `type` of the validator's ApplicationFailure. */
export const MessageRefusal = {
  WrongStage: 'WrongStage',
  NotAnAdmin: 'NotAnAdmin',
  /** The approver is the requester: deletion needs a second person. */
  FourEyes: 'FourEyes',
  MissingReason: 'MissingReason',
  InvalidArgument: 'InvalidArgument',
  /** Neither the requester nor an admin. */
  NotAllowed: 'NotAllowed',
  /** The token lacks a role the decision needs (other than admin). */
  MissingRole: 'MissingRole',
  /** The decider is the identity this run offboards: nobody decides on their own offboarding. */
  OwnOffboarding: 'OwnOffboarding',
  /** The blast-radius failsafe needs a second admin: the run's own approver may not confirm its deletion. */
  SecondAdmin: 'SecondAdmin',
} as const;
export type MessageRefusal = (typeof MessageRefusal)[keyof typeof MessageRefusal];

/** Thrown (as ApplicationFailure type) by the start helpers and the workflows for bad input. */
export interface InputProblem {
  field: string;
  rule: string;
}

export function formatInputProblems(problems: readonly InputProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.rule}`).join('; ');
}
