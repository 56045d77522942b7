import { isCancellation, type LocalActivityOptions, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { OffboardActivities } from '../../activities/types';
import { describeFailure } from './failures';
import { type AuditEntry, type RunStatus } from '../../common/types';

/** What the outbox reads and updates: a run's status (RunBoard) or a sweep's (workflows/sweep/board.ts). */
export interface AuditTrailHolder {
  status: { workflow: string; audit: AuditEntry[]; auditTrail?: RunStatus['auditTrail'] };
}

/** A boundary flush: a local file write, retried briefly; what fails stays pending for the next boundary. */
const boundary: LocalActivityOptions = {
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
};

/** The last flush, when the run ends: worth waiting longer for. */
const final: LocalActivityOptions = { ...boundary, scheduleToCloseTimeout: '2m' };

/**
 * The audit trail leaves the run as it goes. The run's entries (RunBoard.audit) are appended to the audit sink at its
 * natural boundaries — before each activity call, before and during each wait, at the end — by one local activity
 * that sends every entry not yet written (activities/audit.ts, keyed by sequence number so a repeat writes nothing).
 *
 * Why batches at boundaries, not an activity per entry: an entry is made by workflow code, and workflow code runs in
 * workflow tasks that end at exactly these boundaries; flushing there writes every entry a task made before the run
 * can stop waiting on anything, at the cost of one marker event per boundary (an activity per entry would add three
 * events per entry, and the run's event count is measured). A run that is terminated or whose worker dies for good
 * therefore leaves every entry up to its last boundary outside Temporal.
 *
 * A sink that fails does not stop the run (its history keeps every entry, and the status shows the backlog); the
 * entries go at the next boundary.
 *
 * One append at a time, for a workflow whose code flushes from several places at once (a sweep's lanes; the sweep
 * sets `oneAtATime` under the `audit-append-one-at-a-time` patch): a flush waits for the append in flight, then sends
 * what is left. Two local activities in flight at once resume their callers in
 * the order they finish when first run, but in the order they were scheduled on replay; the lanes' next commands then
 * come in another order and the replay fails (a sweep whose worker died, sdk-python#1578, sdk-typescript#1744).
 */
export class AuditOutbox {
  private readonly append = proxyLocalActivities<Pick<OffboardActivities, 'appendAudit'>>(boundary).appendAudit;
  private readonly appendFinal = proxyLocalActivities<Pick<OffboardActivities, 'appendAudit'>>(final).appendAudit;
  /** Entries the sink holds (sequence numbers 1..written). */
  private written = 0;
  /** Entries there were at the last attempt: a wait wakes only for entries made since, not to retry a failing sink. */
  private attempted = 0;
  /** The append in flight, which another flush waits for. */
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly board: AuditTrailHolder,
    private readonly options: { oneAtATime?: boolean } = {},
  ) {}

  /** Entries made since the last attempt. */
  hasNew(): boolean {
    return this.board.status.audit.length > this.attempted;
  }

  /** Where the trail is, once the sink said so. */
  get location(): string | undefined {
    return this.board.status.auditTrail?.location;
  }

  /** Sends every entry not yet written; `last` waits longer (the run is ending). */
  async flush(last = false): Promise<void> {
    if (!this.options.oneAtATime) return this.send(last);
    while (this.inFlight) await this.inFlight;
    if (this.board.status.audit.length <= this.written) return;
    this.inFlight = this.send(last).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async send(last: boolean): Promise<void> {
    const entries = this.board.status.audit;
    // At most twice: a sink that lost its copy answers how much it holds, and the rest is sent again at once.
    for (let round = 0; round < 2 && entries.length > this.written; round++) {
      this.attempted = entries.length;
      const info = workflowInfo();
      try {
        const appended = await (last ? this.appendFinal : this.append)({
          workflowId: info.workflowId,
          runId: info.runId,
          workflow: this.board.status.workflow,
          firstSeq: this.written + 1,
          entries: entries.slice(this.written),
        });
        const lost = appended.lastSeq < this.written;
        this.written = appended.lastSeq;
        this.board.status.auditTrail = { location: appended.location, written: this.written };
        if (!lost) return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        this.board.status.auditTrail = {
          location: this.location,
          written: this.written,
          error: describeFailure(err).message,
        };
        return;
      }
    }
  }
}
