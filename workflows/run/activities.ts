import { type ActivityFunctionWithOptions, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Notification, OffboardActivities } from '../../activities/types';
import { ACTIVITY_OPTIONS, DEFAULT_ACTIVITY_OPTIONS } from './activity-options';
import { type AuditOutbox } from './audit-outbox';
import { describeFailure } from './failures';
import { type AuditEntry } from '../../common/types';

/** Where a failed notification is recorded: a run's board, or a sweep's. */
interface AuditRecorder {
  audit(action: string, outcome: AuditEntry['outcome'], detail?: string): void;
}

/** Activities a step calls; the audit append is the outbox's own local activity (audit-outbox.ts). */
export type ActivityName = Exclude<keyof OffboardActivities, 'appendAudit'>;
/** The proxies, typed per activity (the SDK's own mapped type widens to a union under a generic key). */
type ActivityProxies = { [K in ActivityName]: ActivityFunctionWithOptions<OffboardActivities[K]> };

/**
 * The run's door to its activities: each call takes its timeouts and retry policy from the one table
 * (activity-options.ts) and a summary that the Temporal UI shows next to it, and is a boundary where the audit trail
 * is written out.
 */
export class RunActivities {
  private readonly proxies: ActivityProxies = proxyActivities<OffboardActivities>(DEFAULT_ACTIVITY_OPTIONS);

  constructor(
    private readonly board: AuditRecorder,
    private readonly workflowId: string,
    private readonly outbox: AuditOutbox,
  ) {}

  /** Calls an activity; the audit entries made so far leave the run first (a boundary, see audit-outbox.ts). */
  async call<K extends ActivityName>(
    name: K,
    summary: string,
    ...args: Parameters<OffboardActivities[K]>
  ): Promise<Awaited<ReturnType<OffboardActivities[K]>>> {
    await this.outbox.flush();
    return this.proxies[name].executeWithOptions({ ...ACTIVITY_OPTIONS[name], summary: summary.slice(0, 200) }, args);
  }

  /** Notifications never hold a run: a failure is recorded in the audit trail and the run goes on. */
  async notify(event: Notification['event'], subject: string, text: string): Promise<void> {
    try {
      await this.call('notify', `Notify: ${subject}`, { event, workflowId: this.workflowId, subject, text });
    } catch (err) {
      if (isCancellation(err)) throw err;
      this.board.audit(`notify ${event}`, 'error', describeFailure(err).message);
    }
  }
}
