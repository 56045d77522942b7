import {
  type ActivityFunctionWithOptions,
  isCancellation,
  type LocalActivityFunctionWithOptions,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Notification, OffboardActivities } from '../../activities/types';
import {
  ACTIVITY_OPTIONS,
  type ActivityName,
  DEFAULT_ACTIVITY_OPTIONS,
  DEFAULT_LOCAL_ACTIVITY_OPTIONS,
  LOCAL_ACTIVITY_OPTIONS,
} from './activity-options';
import { describeFailure } from './failures';
import { type AuditEntry } from '../../common/types';

/** Where a failed notification is recorded: a run's board, or a sweep's. */
interface AuditRecorder {
  audit(action: string, outcome: AuditEntry['outcome'], detail?: string): void;
}

export { type ActivityName };
/** The proxies, typed per activity (the SDK's own mapped type widens to a union under a generic key). */
type ActivityProxies = { [K in ActivityName]: ActivityFunctionWithOptions<OffboardActivities[K]> };
type LocalActivityProxies = { [K in ActivityName]: LocalActivityFunctionWithOptions<OffboardActivities[K]> };

/** What the run does before its workflow task ends: write out the audit trail and the search attributes. */
export interface TaskBoundary {
  flush(): Promise<void>;
}

/**
 * The run's door to its activities: each call takes its timeouts and retry policy from the one table
 * (activity-options.ts) and a summary that the Temporal UI shows next to it. With `local`, the calls the table names
 * run as local activities; the others (and every call without `local`) go to the task queue, and their scheduling ends
 * the workflow task: a boundary, where the audit trail and the search attributes are written out first.
 */
export class RunActivities {
  private readonly proxies: ActivityProxies = proxyActivities<OffboardActivities>(DEFAULT_ACTIVITY_OPTIONS);
  private readonly localProxies: LocalActivityProxies =
    proxyLocalActivities<OffboardActivities>(DEFAULT_LOCAL_ACTIVITY_OPTIONS);

  constructor(
    private readonly board: AuditRecorder,
    private readonly workflowId: string,
    private readonly boundary: TaskBoundary,
    /** Whether the calls the table names run locally (the `local-activities` patch). */
    readonly local: boolean,
  ) {}

  /** Calls an activity, locally where the table says so; before a call on the task queue, the boundary is flushed. */
  async call<K extends ActivityName>(
    name: K,
    summary: string,
    ...args: Parameters<OffboardActivities[K]>
  ): Promise<Awaited<ReturnType<OffboardActivities[K]>>> {
    const localOptions = this.local ? LOCAL_ACTIVITY_OPTIONS[name] : undefined;
    if (localOptions) {
      return this.localProxies[name].executeWithOptions({ ...localOptions, summary: summary.slice(0, 200) }, args);
    }
    return this.callOnQueue(name, summary, ...args);
  }

  /** Calls an activity on the task queue, whatever the table says; the boundary is flushed first. */
  async callOnQueue<K extends ActivityName>(
    name: K,
    summary: string,
    ...args: Parameters<OffboardActivities[K]>
  ): Promise<Awaited<ReturnType<OffboardActivities[K]>>> {
    await this.boundary.flush();
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
