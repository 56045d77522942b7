/**
 * The activities: every side effect of a run (Alibaba Cloud CS and RAM calls, dependency probes, notifications, the
 * audit record), one file per stage, all built by `createActivities` over the dependencies the worker injects.
 */
import { auditActivities } from './audit';
import { deletionActivities } from './deletion';
import { deletionPlanActivities } from './deletion-plan';
import { failsafeActivities } from './failsafe';
import { dependencyActivities } from './dependencies';
import { activityContext, type ActivityDeps } from './deps';
import { inventoryActivities } from './inventory';
import { liveCheckActivities } from './live-check';
import { lockoutActivities } from './lockout';
import { notificationActivities } from './notification';
import { planActivities } from './plan';
import { quarantineActivities } from './quarantine';
import { revocationActivities } from './revocation';
import { runPolicyActivities } from './run-policy';
import { recycleBinActivities } from './recycle-bin';
import { undoActivities } from './undo';
import { sweepActivities } from './sweep';
import { type OffboardActivities } from './types';
import { verificationActivities } from './verification';

// What a worker, a script or a test needs to build activities; their types are in ./types.
export { createAlibabaClients } from './alibaba';
export { type AuditSink, jsonLinesAuditSink } from './audit';
export { auditSigner, verifyAuditFile } from './audit-chain';
export { type ActivityDeps } from './deps';
export { consoleNotifier, webhookNotifier } from './notification';

export function createActivities(deps: ActivityDeps): OffboardActivities {
  const ctx = activityContext(deps);
  return {
    ...runPolicyActivities(ctx),
    ...inventoryActivities(ctx),
    ...planActivities(ctx),
    ...dependencyActivities(ctx),
    ...quarantineActivities(ctx),
    ...lockoutActivities(ctx),
    ...revocationActivities(ctx),
    ...verificationActivities(ctx),
    ...liveCheckActivities(ctx),
    ...deletionPlanActivities(ctx),
    ...deletionActivities(ctx),
    ...failsafeActivities(ctx),
    ...notificationActivities(ctx),
    ...auditActivities(ctx),
    // Undo and purge (RAM's recycle bin)
    ...recycleBinActivities(ctx),
    ...undoActivities(ctx),
    ...sweepActivities(ctx),
  };
}
