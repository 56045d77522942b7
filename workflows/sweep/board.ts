import { setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { SearchAttributes } from '../../common/search-attributes';
import { SWEEP_WORKFLOW, type SweepProgress, sweepProgressQuery, type SweepStage } from '../../common/sweep';
import { type AuditEntry, type RunStatus } from '../../common/types';
import { type AuditTrailHolder } from '../run/audit-outbox';

/**
 * What a sweep shows while it runs: its progress (the `sweepProgress` query, the UI's Current Details, the stage in
 * the OffboardingStage search attribute) and its audit trail, which the outbox writes to the audit sink.
 */
export class SweepBoard implements AuditTrailHolder {
  readonly status: { workflow: string; audit: AuditEntry[]; auditTrail?: RunStatus['auditTrail'] } = {
    workflow: SWEEP_WORKFLOW,
    audit: [],
  };
  readonly progress: SweepProgress = {
    stage: 'Scanning',
    clustersScanned: 0,
    orphansFound: 0,
    revoked: 0,
    failed: 0,
    details: 'Starting',
  };

  constructor(private readonly accountId: string) {
    setHandler(sweepProgressQuery, () => this.progress);
  }

  audit(
    action: string,
    outcome: AuditEntry['outcome'],
    detail?: string,
    options: { target?: string; requestIds?: string[]; actor?: string; token?: string } = {},
  ): void {
    this.status.audit.push({
      time: new Date().toISOString(),
      actor: options.actor ?? 'workflow',
      action,
      target: options.target ?? `account ${this.accountId}`,
      outcome,
      ...(detail !== undefined && { detail }),
      ...(options.requestIds && options.requestIds.length > 0 && { requestIds: options.requestIds }),
      ...(options.token && { token: options.token }),
    });
  }

  /** A new stage: in the search attribute on-call filters on, in the UI's details, and in the trail. */
  transition(stage: SweepStage, details: string): void {
    if (stage !== this.progress.stage) {
      upsertSearchAttributes([{ key: SearchAttributes.stage, value: stage }]);
      this.audit(`stage ${this.progress.stage} → ${stage}`, 'info', details);
    }
    this.progress.stage = stage;
    this.setDetails(details);
  }

  setDetails(details: string): void {
    this.progress.details = details;
    setCurrentDetails(details);
  }
}
