import { type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { type OffboardingStage } from '../../common/stages';
import { identityRef, type IdentityType } from '../../common/validation';
import { SearchAttributes } from '../../common/search-attributes';
import { type TemporalConfig } from '../../config/temporal';
import { temporalProblem } from './errors';

/** What a list of runs can be filtered by. Every value was checked against a strict pattern by the route's schema. */
export interface RunFilter {
  /** Absent: every account. */
  accountId?: string;
  stage?: string;
  /** Any of these stages. */
  stages?: readonly OffboardingStage[];
  requestedBy?: string;
  target?: { type: IdentityType; name: string };
  open?: boolean;
  limit: number;
}

/**
 * The visibility query for a filter. Every value put in it matched a strict pattern first (stage names, the subject
 * and RAM-name rules, 16 digits), so no quote can reach the query.
 */
export function listQuery(filter: RunFilter): string {
  const clauses = [`WorkflowType IN ('offboardIdentity', 'revokeKubeconfig')`];
  if (filter.accountId !== undefined) clauses.push(`${SearchAttributes.account.name} = '${filter.accountId}'`);
  if (filter.stage !== undefined) clauses.push(`${SearchAttributes.stage.name} = '${filter.stage}'`);
  if (filter.stages !== undefined) {
    clauses.push(`${SearchAttributes.stage.name} IN (${filter.stages.map((s) => `'${s}'`).join(', ')})`);
  }
  if (filter.requestedBy !== undefined) clauses.push(`${SearchAttributes.requestedBy.name} = '${filter.requestedBy}'`);
  if (filter.target) {
    clauses.push(`${SearchAttributes.target.name} = '${identityRef(filter.target.type, filter.target.name)}'`);
  }
  if (filter.open) clauses.push(`ExecutionStatus = 'Running'`);
  return clauses.join(' AND ');
}

export interface RunRow {
  workflowId: string;
  workflow: string;
  stage?: string;
  target?: string;
  uid?: string;
  requestedBy?: string;
  reason?: string;
  execution: string;
  startTime: string;
  closeTime?: string;
}

function row(info: WorkflowExecutionInfo): RunRow {
  const sa = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    workflow: info.type,
    stage: sa.get(SearchAttributes.stage),
    target: sa.get(SearchAttributes.target),
    uid: sa.get(SearchAttributes.uid),
    requestedBy: sa.get(SearchAttributes.requestedBy),
    reason: sa.get(SearchAttributes.reason),
    execution: info.status.name,
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString(),
  };
}

/** The runs that match, from Temporal visibility (no worker needed). */
export async function listRuns(
  client: Client,
  config: TemporalConfig,
  filter: RunFilter,
): Promise<{ query: string; runs: RunRow[] }> {
  const query = listQuery(filter);
  const runs: RunRow[] = [];
  try {
    for await (const info of client.workflow.list({ query, pageSize: Math.min(filter.limit, 100) })) {
      runs.push(row(info));
      if (runs.length >= filter.limit) break;
    }
  } catch (err) {
    throw temporalProblem(err, config, 'list runs');
  }
  return { query, runs };
}
