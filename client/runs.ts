import { parseRunWorkflowId } from '../common/ids';
import { type Decision, type RunStatus } from '../common/types';
import { type Api, runPath } from './api';
import { badInput } from './errors';
import { flagOfField, type RunFlags, targetFromFlags } from './flags';

/** A run the command acts on: its workflow id (offboard|revoke/<account>/<user|role>/<name>). */
export interface RunRef {
  workflowId: string;
}

/** What the API answers to a start (of an offboarding or a revocation): the server's own type. */
export type { StartedRun } from '../server/temporal/start';

/** What the API says about a run: its status (the run's own `status` query) and its execution. */
export type RunDocument = RunStatus & {
  workflowId: string;
  runId: string;
  execution: {
    status: string;
    taskQueue?: string;
    startTime: string;
    closeTime?: string;
    /** Why a run that ended FAILED failed (the workflow's failure type and message). */
    failure?: { type?: string; message: string };
  };
};

/** A run's audit record as the API gives it: its decisions, each with its signed token re-verified, and the trail. */
export type AuditDocument = Pick<
  RunStatus,
  'workflow' | 'target' | 'uid' | 'accountId' | 'requestedBy' | 'requestedByName' | 'reason' | 'stage' | 'outcome'
> & {
  workflowId: string;
  runId: string;
  trustedKeyIds: string[];
  decisions: Array<Decision & { verified: boolean }>;
  audit: RunStatus['audit'];
};

/**
 * RUN is a workflow id, or `--user NAME` / `--role NAME`: then the API finds the offboarding or revocation run of
 * that identity in its account (an open run wins over a closed one; two open runs are refused, name one by its id).
 * A malformed RUN is refused before anything is contacted.
 */
export async function resolveRun(api: () => Api, flags: RunFlags): Promise<RunRef> {
  const target = targetFromFlags(flags);
  if (flags.run !== undefined && target) throw badInput('give either RUN or --user/--role, not both');
  if (flags.run !== undefined) {
    if (!parseRunWorkflowId(flags.run)) {
      throw badInput(
        `RUN ${JSON.stringify(flags.run)}: must be a run id like offboard/<account>/user/<name> or revoke/<account>/role/<name>`,
        'See `offboard list` for the runs, or use --user NAME / --role NAME.',
      );
    }
    return { workflowId: flags.run };
  }
  if (!target) throw badInput('name the run: give RUN (a workflow id) or --user NAME / --role NAME');
  return api().get<RunRef>('/v1/runs/lookup', {
    query: { [target.type]: target.name },
    flagOf: (field) => flagOfField(field, flags),
  });
}

/** The run's status; the API asks the run (a worker answers, also for a closed run, by replaying its history). */
export function getStatus(api: Api, run: RunRef): Promise<RunDocument> {
  return api.get<RunDocument>(runPath(run.workflowId));
}

/** The run's audit record. */
export function getAudit(api: Api, run: RunRef): Promise<AuditDocument> {
  return api.get<AuditDocument>(runPath(run.workflowId, 'audit'));
}
