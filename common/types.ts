import { type OffboardingStage } from './stages';
import { type IdentityType, type OffboardReason } from './validation';

/** Plain data only: everything here crosses the wire (workflow inputs, activity results, query answers). */

export interface TargetIdentity {
  type: IdentityType;
  /** RAM user name or RAM role name. */
  name: string;
}

/** Durations are milliseconds or strings like "30s", "24h", "7d" (see parseDurationMs). */
export type DurationInput = number | string;

export interface OffboardIdentityInput {
  accountId: string;
  target: TargetIdentity;
  /**
   * Who asked: the authenticated subject of the signed request (an HR person or integration), never a typed name.
   * Never allowed to decide on the deletion of the same run (four eyes).
   */
  requestedBy: string;
  /** Their display name, for humans. */
  requestedByName?: string;
  reason: OffboardReason;
  /** The HR ticket, recorded with the request. */
  ticket?: string;
  /** Free text shown to approvers. */
  comment?: string;
  /** Limit revocation to these clusters (CleanClusterUserPermissions each); default all (CleanUserPermissions). */
  clusterIds?: string[];
  /** ISO-8601: deletion does not start before this time, even when approved earlier. */
  deleteNotBefore?: string;
  /** How often approvers are reminded. Default 24h. */
  approvalReminderEvery?: DurationInput;
  /** After this long without a decision the run ends ApprovalExpired (access stays cut). Default 7d. */
  approvalExpiresAfter?: DurationInput;
  /** How long a Blocked run waits for retry/abort before reminding on-call again. Default 24h. */
  blockedReminderEvery?: DurationInput;
  /** The request, signed by the offboarding API for the person who made it (common/signed-token.ts). */
  authorization: string;
}

export interface RevokeKubeconfigInput {
  accountId: string;
  target: TargetIdentity;
  /** The authenticated subject of the signed request (a security engineer). */
  requestedBy: string;
  requestedByName?: string;
  reason: OffboardReason;
  comment?: string;
  clusterIds?: string[];
  /**
   * Skip Alibaba's 7-day recent-access check. Default true: a leaked kubeconfig is, by definition, being used; the
   * check would refuse exactly the case this workflow exists for. With false, a refusal waits for resolveDependencies.
   */
  force?: boolean;
  blockedReminderEvery?: DurationInput;
  /** The request, signed by the offboarding API for the person who made it. */
  authorization: string;
}

export interface AccessKeySnapshot {
  accessKeyId: string;
  status: 'Active' | 'Inactive' | string;
  createDate?: string;
  lastUsedDate?: string;
}

export interface KubeconfigState {
  clusterId: string;
  clusterName?: string;
  clusterState?: string;
  /** Unexpired | Expired | Unissued | Unknown | Removed */
  certState: string;
  certExpireTime?: string;
}

/** One RBAC grant as DescribeUserPermission reports it, kept to be re-granted by compensation. */
export interface RbacGrant {
  resourceId: string;
  resourceType: string;
  roleName: string;
  roleType: string;
  isOwner: boolean;
  isRamRole: boolean;
}

export interface PolicyRef {
  policyName: string;
  policyType: string;
}

export interface LoginProfileSnapshot {
  passwordResetRequired: boolean;
  mfaBindRequired: boolean;
}

export interface Inventory {
  target: TargetIdentity;
  uid: string;
  displayName?: string;
  accessKeys: AccessKeySnapshot[];
  loginProfile?: LoginProfileSnapshot;
  mfaSerialNumber?: string;
  groups: string[];
  policies: PolicyRef[];
  /** A role's trust policy (AssumeRolePolicyDocument) as it was: what restore puts back after quarantine locked it. */
  trustPolicy?: string;
  kubeconfigs: KubeconfigState[];
  grants: RbacGrant[];
  /** Every cluster of the account (all pages), with auditing known for those the request's clean touches. */
  clusters?: ClusterFacts[];
  takenAt: string;
  requestIds: string[];
}

/** A kubeconfig still issued to an identity that RAM no longer knows (the risk this project exists for). */
export interface LeftoverKubeconfig extends KubeconfigState {
  uid: string;
}

/** A cluster as DescribeClustersV1 lists it, and whether API-server auditing is on where the run needed to know. */
export interface ClusterFacts {
  clusterId: string;
  name?: string;
  /** Known for the clusters a clean without Force would touch: without audit logs Alibaba refuses such a clean. */
  auditLog?: boolean;
}

export type InventoryResult =
  | { exists: true; inventory: Inventory }
  | {
      exists: false;
      target: TargetIdentity;
      /** Valid kubeconfigs of this identity: matched by a uid it is known to have had, or by its name. */
      leftoverKubeconfigs: LeftoverKubeconfig[];
      /**
       * Valid kubeconfigs of deleted identities that the clusters list without a name (RAM no longer resolves it) and
       * whose uid the run does not know as this identity's: they may be its, so "no kubeconfig left" cannot be
       * concluded while any exist.
       */
      unattributedKubeconfigs?: LeftoverKubeconfig[];
      /** Every cluster of the account (all pages). */
      clusters?: ClusterFacts[];
      requestIds: string[];
    };

export interface DependencyFinding {
  probe: string;
  /** Blocking findings make the run wait for an admin's resolveDependencies decision. */
  blocking: boolean;
  summary: string;
  /** Evidence: resource ids and timestamps, never secrets. */
  evidence: Record<string, string>;
}

export interface CleanResult {
  mode: 'all-clusters' | 'per-cluster';
  force: boolean;
  taskId?: string;
  clusterIds?: string[];
  requestIds: string[];
}

export interface VerificationResult {
  uid: string;
  verifiedAt: string;
  taskId?: string;
  kubeconfigs: KubeconfigState[];
  grantsRemaining: number;
  /** The clusters verified (the named ones, or every cluster listed), on each of which the worker is RBAC admin. */
  clusterIds?: string[];
  requestIds: string[];
}

/**
 * What the live check before deletion found for the identity whose revocation was verified (a name that now resolves
 * to another identity is not an answer but a refusal: IdentityChanged).
 */
export interface LiveCheck {
  /** False when RAM no longer knows the name: the identity was removed, and not by this run's deletion. */
  identityExists: boolean;
  /** Kubeconfigs of the verified uid that could be used again, on any cluster. */
  usableKubeconfigs: KubeconfigState[];
  /** RBAC grants the verified uid holds again. */
  grants: RbacGrant[];
  checkedAt: string;
  requestIds: string[];
}

/**
 * Proof that revocation was verified for one identity: produced only by the verification stage of a workflow
 * (workflows/steps/verification.ts) from a successful verifyRevocation result, required by every deletion activity.
 */
export interface RevocationProof {
  kind: 'RevocationProof';
  uid: string;
  target: TargetIdentity;
  verifiedAt: string;
  kubeconfigs: KubeconfigState[];
  grantsRemaining: 0;
}

/**
 * What each deletion activity is given instead of the whole RevocationProof, whose kubeconfig states (one per cluster)
 * were copied into the run's history with every deletion call: the facts the activity checks, and the SHA-256 of the
 * whole proof, which ties each deletion to the verification recorded in the history. Made by the deletion stage
 * (workflows/steps/deletion.ts) from its verified revocation, with common/revocation-proof.ts.
 */
export interface RevocationProofSummary {
  kind: 'RevocationProofSummary';
  target: TargetIdentity;
  uid: string;
  verifiedAt: string;
  /** The clusters whose kubeconfig state the verification read. */
  clustersChecked: number;
  /** How many of them the identity could still use: 0, or there is no proof. */
  clustersUsable: number;
  /** RBAC grants left: 0, or there is no proof. */
  grantsRemaining: number;
  /** Lowercase hex SHA-256 of the whole proof as canonical JSON (`revocationProofDigest`). */
  proofSha256: string;
}

/**
 * What a deletion activity accepts as proof: the summary, or the whole proof, which runs started before the summary
 * existed still pass (in flight during a rollout).
 */
export type DeletionProof = RevocationProofSummary | RevocationProof;

export interface AuditEntry {
  time: string;
  /** `workflow`, or the authenticated subject of the person who decided. */
  actor: string;
  action: string;
  target: string;
  outcome: 'ok' | 'refused' | 'error' | 'info';
  detail?: string;
  requestIds?: string[];
  /** The signed request or decision behind this entry: anyone with the API's public key can verify who acted. */
  token?: string;
}

export interface BlockedInfo {
  step: string;
  failureType: string;
  message: string;
  since: string;
}

export type PendingDecision = 'dependencies' | 'approval' | 'blocked' | 'scheduled-deletion' | 'failsafe' | null;

/** A decision the run accepted, with the signed token that proves who made it. */
export interface Decision {
  kind: string;
  /** The decider's subject at the identity provider. */
  actor: string;
  /** Their display name, for humans. */
  actorName: string;
  /** The roles the token gave them. */
  roles: string[];
  time: string;
  reason?: string;
  comment?: string;
  detail?: string;
  token: string;
}

/** The workflows that run as a `Run` (workflows/run/): they share the status query, the audit trail and decisions. */
export type RunWorkflow = 'offboardIdentity' | 'revokeKubeconfig' | 'undoOffboarding' | 'purgeFromRecycleBin';

export interface RunStatus {
  workflow: RunWorkflow;
  stage: OffboardingStage;
  /** Where the run stopped to wait, and for what. */
  pendingDecision: PendingDecision;
  /** When the run started waiting for `pendingDecision` (ISO-8601); absent while nothing is awaited. */
  pendingSince?: string;
  /** One sentence for humans: what the run does or waits for. */
  details: string;
  accountId: string;
  target: TargetIdentity;
  uid?: string;
  /** The authenticated subject who requested the run, and their display name. */
  requestedBy: string;
  requestedByName?: string;
  /** An offboarding's reason (departure, compromise, other); an undo's is the free text its requester gave. */
  reason: OffboardReason | (string & {});
  ticket?: string;
  startedAt: string;
  /** The keys (by id) whose signatures the run accepts; the API signs its decisions with one of them. */
  trustedKeyIds: string[];
  inventory?: {
    accessKeys: number;
    activeAccessKeys: number;
    consoleLogin: boolean;
    mfa: boolean;
    groups: number;
    policies: number;
    kubeconfigs: KubeconfigState[];
    grants: number;
  };
  findings: DependencyFinding[];
  revocation?: CleanResult;
  verification?: VerificationResult;
  blocked?: BlockedInfo;
  decisions: Decision[];
  approvalDeadline?: string;
  deleteNotBefore?: string;
  /** Undo steps registered so far (latest last); run in reverse on rejection with restore or rescind. */
  compensations: string[];
  deletedSteps: string[];
  audit: AuditEntry[];
  /** Refused signals recorded in the audit trail (at most 100), and how many more came and were only counted. */
  refusedSignals?: number;
  refusedSignalsNotRecorded?: number;
  /** The audit trail outside Temporal: where, how many entries it holds, and the sink's last error if it failed. */
  auditTrail?: { location?: string; written: number; error?: string };
  outcome?: string;
}

export interface RunResult {
  stage: OffboardingStage;
  outcome: string;
  uid?: string;
  audit: AuditEntry[];
  auditRecordPath?: string;
}
