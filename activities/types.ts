/**
 * The activity interface as workflows see it: types only (erased at bundling), so workflow code never pulls in the
 * SDKs or Node APIs. `proxyActivities<OffboardActivities>()` gives the typed stubs. Names, inputs and results are
 * what stored workflow histories hold: change them only with a versioning plan.
 */
import type {
  CleanResult,
  ClusterFacts,
  DeletionProof,
  DependencyFinding,
  Inventory,
  InventoryResult,
  LiveCheck,
  LoginProfileSnapshot,
  PolicyRef,
  RbacGrant,
  TargetIdentity,
  VerificationResult,
} from '../common/types';
import type { Plan } from '../common/plan';
import type { ReserveAnswer } from '../common/deletion-failsafe';
import type { TrustedKey } from '../common/signed-token';
import type { TimingBounds } from '../common/timing';
import type { DeletionRecord, RecycleBinEntry, RecycleBinPurgePolicy } from '../common/undo';
import type { AuditAppended, AuditBatch } from './audit';
import type { SweepScan } from './sweep';
import type { Notification } from './notification';

export type { AuditAppended, AuditBatch, Notification };

export interface StepResult {
  /** False when the goal already held (NotFound, already inactive): running twice gives the same state. */
  changed: boolean;
  /**
   * With `changed: false`, in a retried attempt: an earlier attempt of this run's call may have taken effect and lost
   * its answer (a dropped connection), so the goal holding is most likely this run's doing, not someone else's.
   */
  earlierAttempt?: boolean;
  requestIds: string[];
}

export interface RunPolicy {
  accountId: string;
  workerIdentity: string;
  /** Whose signatures the run accepts: the offboarding API's public keys, and its issuer name. */
  trust: { issuer: string; keys: TrustedKey[] };
  /** Bounds on the run's durations and dates (production's, or the emulator's fast ones for tests). */
  timing: TimingBounds;
  /** RAM's recycle bin after a deletion: keep, or purge after N days. Absent in histories from before it existed. */
  recycleBinPurge?: RecycleBinPurgePolicy;
}

export interface DeletionPlan {
  accessKeyIds: string[];
  groups: string[];
  policies: PolicyRef[];
  loginProfile: boolean;
  mfa: boolean;
  requestIds: string[];
}

interface TargetInput {
  accountId: string;
  target: TargetIdentity;
  /**
   * Uids the identity is known to have had (recorded by earlier runs): if RAM no longer knows it, its leftover
   * kubeconfigs are matched by these, since clusters may list a deleted identity without its name.
   */
  knownUids?: string[];
}

interface AccessKeyInput {
  userName: string;
  accessKeyId: string;
}

/**
 * Every deletion activity takes the verified revocation of its target (its summary; the whole proof from runs started
 * before the summary), and refuses without it.
 */
export interface ProvenTarget {
  proof: DeletionProof;
  target: TargetIdentity;
}

export interface OffboardActivities {
  /** The worker's account, its own identity and the keys it trusts, read once per run (history stays deterministic). */
  loadRunPolicy(): Promise<RunPolicy>;

  /** The dry run: inventory and dependency probes over read-only clients, as a plan. */
  planIdentity(input: { accountId: string; target: TargetIdentity; clusterIds?: string[] }): Promise<Plan>;

  // Inventory and dependencies (read-only)
  /**
   * Resolves the identity (name → uid) and snapshots everything it holds, and the clusters (with auditing known for
   * those a clean of `clusterIds`, all when absent, touches).
   */
  inventoryIdentity(input: TargetInput & { clusterIds?: string[] }): Promise<InventoryResult>;
  /** Name → uid only, for the leaked-kubeconfig response; an identity RAM no longer knows is searched in the clusters. */
  resolveIdentity(input: TargetInput): Promise<InventoryResult | { exists: true; uid: string; requestIds: string[] }>;
  /** Every cluster of the account (all pages of DescribeClustersV1). */
  listClusters(): Promise<ClusterFacts[]>;
  /** Runs the configured dependency probes over the inventory. */
  checkDependencies(input: { inventory: Inventory }): Promise<DependencyFinding[]>;

  // Quarantine and its undo
  /** An access key stops working. Undone by activateAccessKey. */
  deactivateAccessKey(input: AccessKeyInput): Promise<StepResult>;
  activateAccessKey(input: AccessKeyInput): Promise<StepResult>;
  /** Console login stops working (the login profile is removed). Undone by restoreConsoleLogin. */
  blockConsoleLogin(input: { userName: string }): Promise<StepResult>;
  /** Gives console login back with the snapshotted settings and a password nobody knows (reset required). */
  restoreConsoleLogin(input: { userName: string; profile: LoginProfileSnapshot }): Promise<StepResult>;
  /**
   * Attaches the deny-all custom policy (created once per account) to the user or role: every request it makes is
   * refused from now on, open sessions included. Undone by detachDenyPolicy.
   */
  attachDenyPolicy(input: { target: TargetIdentity }): Promise<StepResult>;
  detachDenyPolicy(input: { target: TargetIdentity }): Promise<StepResult>;
  /** Replaces a role's trust policy with one nobody can assume. Undone by restoreTrustPolicy with the snapshot. */
  lockTrustPolicy(input: { roleName: string }): Promise<StepResult>;
  restoreTrustPolicy(input: { roleName: string; document: string }): Promise<StepResult>;

  // The orphan sweep (workflows/sweep-orphaned-kubeconfigs.ts)
  /**
   * Every cluster's kubeconfigs (or the named clusters'), RAM's directory and recycle bin, the grants of identities
   * gone from RAM, and stale access of live users: the findings, nothing changed.
   */
  scanForOrphans(input: { clusterIds?: string[]; staleAfterDays?: number }): Promise<SweepScan>;
  /** The other sweeps of the account still running, from Temporal visibility (two sweeps never overlap). */
  openSweeps(input: { accountId: string }): Promise<{ workflowId: string; startTime: string }[]>;
  /** Of these uids, those RAM still does not have (re-read right before the sweep revokes them). */
  confirmGone(input: { uids: string[] }): Promise<{ gone: string[]; requestIds: string[] }>;

  // Revocation and its undo
  /** Removes kubeconfigs and RBAC grants on all clusters (an asynchronous task) or on the named ones. */
  cleanPermissions(input: {
    uid: string;
    target: TargetIdentity;
    clusterIds?: string[];
    force: boolean;
  }): Promise<CleanResult>;
  /**
   * Follows the clean task to its end for up to `withinMs` (default 20 s) in one attempt; a task still running then
   * throws the retryable CleanTaskPending.
   */
  awaitCleanTask(input: { taskId: string; withinMs?: number }): Promise<{ state: string; requestIds: string[] }>;
  /** Puts the snapshotted RBAC grants back. */
  regrantPermissions(input: { uid: string; grants: RbacGrant[] }): Promise<StepResult>;

  // Verification
  /** Every (named) cluster reports the kubeconfig revoked and no grant left; else the retryable RevocationNotVerified. */
  verifyRevocation(input: { uid: string; clusterIds?: string[]; taskId?: string }): Promise<VerificationResult>;

  // Deletion: each step takes the proof
  /**
   * The live check at the start of Deletion, before anything irreversible: the name still names the verified uid
   * (IdentityChanged otherwise), and what of its kubeconfigs and grants is usable again, on every cluster.
   */
  checkBeforeDeletion(input: ProvenTarget): Promise<LiveCheck>;
  /** Fresh list of what must go before DeleteUser/DeleteRole (the inventory may be days old). */
  planDeletion(input: ProvenTarget): Promise<DeletionPlan>;
  /**
   * The blast-radius failsafe (activities/failsafe.ts): asks the account's governor, with update-with-start, to
   * count this deletion. Granted, or held (the window is full or deletions are paused). Idempotent by run.
   */
  reserveDeletion(input: {
    accountId: string;
    workflowId: string;
    runId: string;
    targetRef: string;
  }): Promise<ReserveAnswer>;
  deleteAccessKey(input: ProvenTarget & { accessKeyId: string }): Promise<StepResult>;
  removeUserFromGroup(input: ProvenTarget & { groupName: string }): Promise<StepResult>;
  detachPolicy(input: ProvenTarget & { policy: PolicyRef }): Promise<StepResult>;
  deleteLoginProfile(input: ProvenTarget): Promise<StepResult>;
  unbindMfaDevice(input: ProvenTarget): Promise<StepResult>;
  /**
   * The point of no return: the live check again right before DeleteUser/DeleteRole (UsableAgain or IdentityChanged
   * stop it); an identity already gone is not deleted again (`changed: false`).
   */
  deleteIdentity(input: ProvenTarget): Promise<StepResult>;

  // Notification and audit
  /** Sends a notification (webhook or console). */
  notify(input: Notification): Promise<void>;
  /**
   * Appends the run's entries not yet written to the audit sink, chained; idempotent by sequence number. A local
   * activity, at the run's boundaries (workflows/run/audit-outbox.ts).
   */
  appendAudit(input: AuditBatch): Promise<AuditAppended>;

  // RAM's recycle bin: undo and purge (activities/recycle-bin.ts, activities/undo.ts)
  /** GetUserInRecycleBin by uid: its RecycleDate and DeleteDate, or null when the bin does not hold it. */
  readRecycleBinEntry(input: { accountId: string; uid: string }): Promise<RecycleBinEntry | null>;
  /** The offboarding run under `workflowId`, from Temporal: how it closed and, when it completed, its deletion record. */
  readOffboardingRecord(input: { accountId: string; workflowId: string }): Promise<OffboardingRecordRead>;
  /** The uid of the live user under this name, if any. */
  lookUpLiveUser(input: { accountId: string; userName: string }): Promise<{ uid?: string; requestIds: string[] }>;
  /** RestoreUserFromRecycleBin; done when the name names the uid live; Conflict when another user holds the name. */
  restoreUserFromRecycleBin(input: RestoredUser): Promise<StepResult>;
  /** RestoreAccessKeyFromRecycleBin (the key comes back Inactive); done when the user holds the key. */
  restoreAccessKeyFromRecycleBin(input: RestoredUser & { accessKeyId: string }): Promise<StepResult>;
  addUserToGroup(input: RestoredUser & { groupName: string }): Promise<StepResult>;
  attachPolicyToUser(input: RestoredUser & { policy: PolicyRef }): Promise<StepResult>;
  /** DeleteAccessKeyInRecycleBin for each key of the uid in the bin, then DeleteUserInRecycleBin. */
  purgeUserFromRecycleBin(input: { accountId: string; uid: string }): Promise<StepResult & { purgedKeys: string[] }>;
}

/** A user an undo restores: by uid in the bin, by name once live. */
export interface RestoredUser {
  accountId: string;
  uid: string;
  userName: string;
}

/** What readOffboardingRecord found under a workflow id. */
export interface OffboardingRecordRead {
  found: boolean;
  /** The workflow type of the run found (an undo of anything else than an offboarding is refused). */
  type?: string;
  /** How the latest run under the id closed (COMPLETED, RUNNING, FAILED, TERMINATED, …). */
  closed?: string;
  runId?: string;
  record?: DeletionRecord;
}
