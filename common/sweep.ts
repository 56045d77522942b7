/**
 * The orphan sweep's contract: what a sweep is asked (SweepInput), what it reports (SweepReport), and its names in
 * Temporal. The workflow (workflows/sweep-orphaned-kubeconfigs.ts), the API, the CLI and the console all speak these.
 *
 * An orphan is a kubeconfig still Unexpired, or an RBAC grant still held, by an identity RAM no longer has: deleted
 * (`account_state` Deleted) or whose uid no longer resolves among RAM's live users and roles. The name alone is never
 * trusted (Alibaba may list a deleted identity without one). A user in RAM's recycle bin is deleted but restorable:
 * its kubeconfigs are revoked all the same, so that a restore never brings cluster access back.
 */

import { defineQuery } from '@temporalio/workflow';
import { SearchAttributes } from './search-attributes';

export const SWEEP_WORKFLOW = 'sweepOrphanedKubeconfigs';

/**
 * A sweep's stage, in the OffboardingStage search attribute (so on-call filters sweeps like any run):
 * Scanning → Revoking (not in a dry run) → Swept (complete) | Incomplete (a cluster skipped or an orphan not
 * revoked) | Refused (its authorization did not verify).
 */
export const SweepStages = ['Scanning', 'Revoking', 'Swept', 'Incomplete', 'Refused'] as const;
export type SweepStage = (typeof SweepStages)[number];

/**
 * `dry-run` only reports; `revoke` revokes and verifies each orphan; `dry-run-first` (a new schedule's default)
 * only reports in runs that start before `revokeFrom` — the API sets it one interval after the schedule's creation,
 * so the first scheduled run's findings can be read before anything is revoked — and revokes from then on.
 */
export const SweepModes = ['dry-run', 'revoke', 'dry-run-first'] as const;
export type SweepMode = (typeof SweepModes)[number];

export interface SweepInput {
  accountId: string;
  mode: SweepMode;
  /** ISO-8601; required with `dry-run-first`: runs that start earlier only report. */
  revokeFrom?: string;
  /** Limit the sweep to these clusters; default every cluster of the account. */
  clusterIds?: string[];
  /** A live RAM user not seen logging in for this many days is reported as stale access. Default 90. */
  staleAfterDays?: number;
  /** Set on the input a schedule carries: the schedule's id. */
  scheduleId?: string;
  /** The authenticated subject who asked for the sweep (or signed the schedule's grant). */
  requestedBy: string;
  requestedByName?: string;
  /** A request signed for this run, or a schedule grant (common/signed-token.ts). */
  authorization: string;
}

export interface SkippedCluster {
  clusterId: string;
  clusterName?: string;
  /** Alibaba's error code (StatusForbidden, …) or our failure type. */
  code: string;
  message: string;
}

export interface OrphanKubeconfig {
  clusterId: string;
  certState: string;
  expireTime?: string;
}

export type OrphanOutcome = 'found' | 'revoked' | 'failed';

export interface OrphanFinding {
  uid: string;
  type: 'user' | 'role';
  /** Absent when Alibaba lists the deleted identity without a name. */
  name?: string;
  /** Why it counts as gone: Alibaba's own `account_state`, or RAM no longer knowing the uid. */
  evidence: 'account_state Deleted' | 'uid not in RAM';
  /** Still in RAM's recycle bin (restorable until deleteDate). */
  recycleBin?: { recycleDate: string; deleteDate: string };
  /** Kubeconfigs still Unexpired. */
  kubeconfigs: OrphanKubeconfig[];
  /** RBAC grants still held. */
  grants: number;
  outcome: OrphanOutcome;
  /** When the revocation was verified (outcome revoked). */
  verifiedAt?: string;
  /** Why it failed (outcome failed), with Alibaba's code when there is one. */
  failure?: { code?: string; message: string };
}

export interface StaleAccess {
  userName: string;
  uid: string;
  /** `disabled`: no console login and every access key inactive; `unused`: no login for staleAfterDays. */
  why: 'disabled' | 'unused';
  lastLoginDate?: string;
  /** Clusters where the user holds an Unexpired kubeconfig. */
  clusterIds: string[];
  /** A ready command to offboard them. */
  startCommand: string;
}

export interface SweepReport {
  kind: 'SweepReport';
  workflowId: string;
  runId: string;
  accountId: string;
  scheduleId?: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** False while a cluster was skipped or an orphan could not be revoked: the sweep never ends clean then. */
  complete: boolean;
  clustersScanned: number;
  clustersSkipped: SkippedCluster[];
  /** Distinct identities seen in the kubeconfig listings. */
  identitiesSeen: number;
  kubeconfigsSeen: number;
  orphans: OrphanFinding[];
  counts: { found: number; revoked: number; verified: number; failed: number };
  stale: StaleAccess[];
  /** Alibaba API calls the sweep made, counted by the request ids of their answers (a NotFound answer is not counted). */
  apiCalls: number;
  /** One sentence for humans. */
  outcome: string;
}

/** What a running sweep shows (the `sweepProgress` query): the console and `offboard sweep` follow it. */
export interface SweepProgress {
  stage: SweepStage;
  dryRun?: boolean;
  clustersTotal?: number;
  clustersScanned: number;
  orphansFound: number;
  revoked: number;
  failed: number;
  /** One sentence for humans. */
  details: string;
}

export const sweepProgressQuery = defineQuery<SweepProgress>('sweepProgress');

/**
 * The search attributes a sweep starts with (the schedule's action and an on-demand start alike): the account, who
 * asked, the stage, and `OffboardingReason` = `sweep`, so `OffboardingReason='sweep'` lists every sweep in the UI.
 */
export function sweepSearchAttributes(input: Pick<SweepInput, 'accountId' | 'requestedBy'>) {
  return [
    { key: SearchAttributes.stage, value: 'Scanning' satisfies SweepStage },
    { key: SearchAttributes.account, value: input.accountId },
    { key: SearchAttributes.requestedBy, value: input.requestedBy },
    { key: SearchAttributes.reason, value: 'sweep' },
  ];
}
