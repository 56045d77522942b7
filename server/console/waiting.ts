import { type PendingDecision, type RunStatus } from '../../common/types';
import { OffboardingStage } from '../../common/stages';
import { type Services } from '../services';
import { listRuns } from '../temporal/list';
import { readRun } from '../temporal/runs';

/**
 * Open runs that wait for a person, with their status: visibility finds the candidates by stage (no worker needed),
 * the status query says what each waits for and since when. Oldest wait first.
 */

const MAX_RUNS = 100;

export interface WaitingRun {
  workflowId: string;
  status: RunStatus;
}

async function waiting(
  services: Pick<Services, 'config' | 'temporal'>,
  stages: OffboardingStage[],
  pending: PendingDecision[],
): Promise<WaitingRun[]> {
  const { config } = services;
  const client = await services.temporal.client();
  const { runs } = await listRuns(client, config.temporal, {
    accountId: config.accountId,
    stages,
    open: true,
    limit: MAX_RUNS,
  });
  const read = await Promise.all(
    runs.map(async (row) => {
      const { status } = await readRun(client, config.temporal, row.workflowId);
      return { workflowId: row.workflowId, status };
    }),
  );
  return read
    .filter((r) => pending.includes(r.status.pendingDecision))
    .sort((a, b) => (a.status.pendingSince ?? '').localeCompare(b.status.pendingSince ?? ''));
}

/** The admins' inbox: runs waiting for an approval or a dependency decision (which may come in two stages). */
export function runsAwaitingAdmins(services: Pick<Services, 'config' | 'temporal'>): Promise<WaitingRun[]> {
  return waiting(
    services,
    [OffboardingStage.AwaitingApproval, OffboardingStage.DependencyCheck, OffboardingStage.Revocation],
    ['approval', 'dependencies'],
  );
}

/** On-call's list: Blocked runs, waiting for retry or abort. */
export function blockedRuns(services: Pick<Services, 'config' | 'temporal'>): Promise<WaitingRun[]> {
  return waiting(services, [OffboardingStage.Blocked], ['blocked']);
}
