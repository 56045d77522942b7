import { type TargetIdentity } from './types';

/**
 * Workflow ids are derived from the target so that a second trigger for the same identity joins the running run
 * (start with WorkflowIdConflictPolicy USE_EXISTING) instead of starting another.
 */
export function offboardWorkflowId(accountId: string, target: TargetIdentity): string {
  return `offboard/${accountId}/${target.type}/${target.name}`;
}

/** One running leaked-kubeconfig response per identity; a second request joins it. */
export function revokeKubeconfigWorkflowId(accountId: string, target: TargetIdentity): string {
  return `revoke/${accountId}/${target.type}/${target.name}`;
}

/** Parses either id form back into its parts; undefined for anything else. */
export function parseRunWorkflowId(
  workflowId: string,
): { workflow: 'offboardIdentity' | 'revokeKubeconfig'; accountId: string; target: TargetIdentity } | undefined {
  const m = /^(offboard|revoke)\/(\d+)\/(user|role)\/([^/]+)$/.exec(workflowId);
  if (!m) return undefined;
  return {
    workflow: m[1] === 'offboard' ? 'offboardIdentity' : 'revokeKubeconfig',
    accountId: m[2],
    target: { type: m[3] as TargetIdentity['type'], name: m[4] },
  };
}

/** The account's sweep schedule in Temporal (one per account). */
export function sweepScheduleId(accountId: string): string {
  return `sweep-schedule/${accountId}`;
}

/** The workflow id a sweep schedule's action gives: each scheduled run is `<this>-<time>` (Temporal adds the time). */
export function scheduledSweepWorkflowId(accountId: string): string {
  return `sweep/${accountId}/scheduled`;
}

/** A sweep asked for on demand (`offboard sweep --dry-run`, the API): one id per request time. */
export function onDemandSweepWorkflowId(accountId: string, atMs: number): string {
  return `sweep/${accountId}/on-demand-${new Date(atMs).toISOString()}`;
}

/** One undo per identity at a time; a second request joins it. */
export function undoWorkflowId(accountId: string, target: TargetIdentity): string {
  return `undo/${accountId}/${target.type}/${target.name}`;
}
