/**
 * The activity interface as workflows see it: types only (erased at bundling), so workflow code never pulls in the
 * SDKs or Node APIs. `proxyActivities<OffboardActivities>()` gives the typed stubs.
 */
import type { createActivities } from './index';
export type OffboardActivities = ReturnType<typeof createActivities>;
export type { DeletionPlan, RunPolicy, StepResult } from './index';
export type { Notification, AuditRecord } from './sinks';
