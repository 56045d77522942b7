import { type Client, ScheduleNotFoundError, type WorkflowExecutionInfo } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { type InputProblem } from '../../common/errors';
import { onDemandSweepWorkflowId, sweepScheduleId } from '../../common/ids';
import { checkSweepInput, InvalidInputError } from '../../common/inputs';
import { SearchAttributes } from '../../common/search-attributes';
import {
  SWEEP_WORKFLOW,
  type SweepInput,
  type SweepMode,
  type SweepProgress,
  sweepProgressQuery,
  type SweepReport,
} from '../../common/sweep';
import { startSweep } from '../../config/start-sweep';
import { badInput, Problem, ProblemType } from '../problems';
import { type Services } from '../services';
import { type Person } from '../signer';
import { temporalProblem } from './errors';
import { withRpcDeadline } from './runs';

/**
 * The sweep's runs as the API sees them: an on-demand start (checked, signed for the person, refused while another
 * sweep of the account runs), the sweeps that are running (visibility, and the schedule's own running actions), and
 * the last report (the newest completed sweep's result, decoded through the codec like every read here).
 */

type SweepServices = Pick<Services, 'config' | 'temporal' | 'signer'>;

/** What a person asks of a sweep; the account and the requester are the server's and the signer's. */
export interface SweepRequest {
  mode: SweepMode;
  clusterIds?: string[];
  staleAfterDays?: number;
}

/** What the schedule adds to its action's input. */
export interface ScheduledExtras {
  scheduleId: string;
  /** With mode dry-run-first: runs that start earlier only report. */
  revokeFrom?: string;
}

/**
 * The unsigned input of a sweep for `person`, checked by the rules the workflow applies (common/inputs.ts) and limited
 * to `modes` (on demand: dry-run or revoke): bad input is refused naming each field, before anything is signed.
 */
export function checkedSweepInput(
  accountId: string,
  request: SweepRequest,
  person: Person,
  modes: readonly SweepMode[],
  extras?: ScheduledExtras,
): Omit<SweepInput, 'authorization'> {
  const input: Omit<SweepInput, 'authorization'> = {
    accountId,
    mode: request.mode,
    ...(extras?.revokeFrom ? { revokeFrom: extras.revokeFrom } : {}),
    ...(request.clusterIds ? { clusterIds: request.clusterIds } : {}),
    ...(request.staleAfterDays !== undefined ? { staleAfterDays: request.staleAfterDays } : {}),
    ...(extras ? { scheduleId: extras.scheduleId } : {}),
    requestedBy: person.subject,
    requestedByName: person.name,
  };
  const modeProblem: InputProblem[] = modes.includes(request.mode)
    ? []
    : [{ field: 'mode', rule: `must be one of ${modes.join(', ')}` }];
  const problems = [...modeProblem, ...checkSweepInput(input).filter((p) => !modeProblem.length || p.field !== 'mode')];
  if (problems.length > 0) throw badInput(problems);
  return input;
}

/** A running sweep of the account: two sweeps never overlap, so a second is refused naming this one. */
export interface RunningSweep {
  workflowId: string;
  runId: string;
  startTime?: string;
  /** Started by the account's schedule (else on demand). */
  scheduled: boolean;
}

/**
 * Two sweeps never overlap. Visibility lists a new run a moment after its start, so the API also serializes its own
 * starts and triggers (one at a time per process), and remembers the sweep it started last in each account, which it
 * describes directly (strongly consistent) until that run has ended. Two API processes started within visibility's
 * delay of each other remain the one window: the workflow itself is the last line (see the report to the lead).
 */
const startedHere = new Map<string, { workflowId: string; runId: string }>();
let startQueue: Promise<unknown> = Promise.resolve();

/** Runs `start` after every start (or trigger) this process began before it has finished. */
export function oneStartAtATime<T>(start: () => Promise<T>): Promise<T> {
  const result = startQueue.then(start);
  startQueue = result.catch(() => undefined);
  return result;
}

/** Set by Temporal itself on a run a schedule started (a client cannot set it). */
const scheduledById = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

/** Every visibility query here: values are the server's account id (16 digits), never a person's text. */
function sweepQuery(accountId: string, status: 'Running' | 'Completed'): string {
  return (
    `WorkflowType = '${SWEEP_WORKFLOW}' AND ${SearchAttributes.account.name} = '${accountId}' AND ` +
    `ExecutionStatus = '${status}'`
  );
}

async function listSweeps(client: Client, accountId: string, status: 'Running' | 'Completed', limit: number) {
  const found: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: sweepQuery(accountId, status), pageSize: limit })) {
    found.push(info);
    if (found.length >= limit) break;
  }
  return found;
}

/**
 * The sweeps of the account running now: open runs of the sweep workflow (visibility), and the schedule's running
 * actions (from the schedule itself, which visibility may not list yet).
 */
export async function runningSweeps(services: SweepServices): Promise<RunningSweep[]> {
  const { config } = services;
  const client = await services.temporal.client();
  try {
    const open = await listSweeps(client, config.accountId, 'Running', 10);
    const found = new Map<string, RunningSweep>(
      open.map((i) => [
        i.workflowId,
        {
          workflowId: i.workflowId,
          runId: i.runId,
          startTime: i.startTime.toISOString(),
          scheduled: i.typedSearchAttributes.get(scheduledById) !== undefined,
        },
      ]),
    );
    const schedule = await client.schedule
      .getHandle(sweepScheduleId(config.accountId))
      .describe()
      .catch((err: unknown) => {
        if (err instanceof ScheduleNotFoundError) return undefined;
        throw err;
      });
    const mine = startedHere.get(config.accountId);
    if (mine && !found.has(mine.workflowId)) {
      const d = await client.workflow
        .getHandle(mine.workflowId, mine.runId)
        .describe()
        .catch(() => undefined);
      if (d?.status.name === 'RUNNING') {
        found.set(mine.workflowId, { ...mine, startTime: d.startTime.toISOString(), scheduled: false });
      } else startedHere.delete(config.accountId);
    }
    for (const action of schedule?.info.runningActions ?? []) {
      const { workflowId, firstExecutionRunId } = action.workflow;
      found.set(workflowId, {
        ...found.get(workflowId),
        workflowId,
        runId: found.get(workflowId)?.runId ?? firstExecutionRunId,
        scheduled: true,
      });
    }
    return [...found.values()];
  } catch (err) {
    throw temporalProblem(err, config.temporal, 'list running sweeps');
  }
}

/** 409 naming the running sweep: nothing was started. */
export function sweepRunning(running: RunningSweep, what: string): Problem {
  return new Problem(
    409,
    ProblemType.Refused,
    `${what}: the sweep ${running.workflowId} (${running.scheduled ? 'scheduled' : 'on demand'}) is running, and two sweeps of an account never overlap. Nothing was started`,
    { refusal: 'SweepRunning', runningWorkflowId: running.workflowId },
  );
}

export interface StartedSweep {
  workflowId: string;
  runId: string;
  mode: SweepMode;
}

/**
 * Starts a sweep now for `person` (role sweep): checked, refused while another sweep of the account runs, signed for
 * this run's id, started with the sweep's search attributes. On-demand modes are dry-run and revoke.
 */
export function startSweepNow(
  services: SweepServices,
  request: SweepRequest,
  person: Person,
  nowMs?: number,
): Promise<StartedSweep> {
  const { config } = services;
  const input = checkedSweepInput(config.accountId, request, person, ['dry-run', 'revoke']);
  return oneStartAtATime(async () => {
    const [running] = await runningSweeps(services);
    if (running) throw sweepRunning(running, 'a sweep was not started');
    const workflowId = onDemandSweepWorkflowId(config.accountId, nowMs ?? Date.now());
    const authorization = await services.signer.signRequest({
      workflow: SWEEP_WORKFLOW,
      workflowId,
      request: input,
      person,
    });
    try {
      const client = await services.temporal.client();
      const handle = await startSweep(client, workflowId, { ...input, authorization }, config.temporal);
      const { runId } = await handle.describe();
      startedHere.set(config.accountId, { workflowId, runId });
      return { workflowId, runId, mode: request.mode };
    } catch (err) {
      if (err instanceof InvalidInputError) throw badInput(err.problems);
      throw temporalProblem(err, config.temporal, `start ${workflowId}`);
    }
  });
}

export interface RunningSweepProgress extends RunningSweep {
  /** The run's `sweepProgress` query; absent when no worker answered (then `progressError` says why). */
  progress?: SweepProgress;
  progressError?: string;
}

export interface LastSweep {
  accountId: string;
  /** The newest completed sweep's report; null before any sweep of the account has completed. */
  report: SweepReport | null;
  /** The sweep running now, with its progress; null when none runs. */
  running: RunningSweepProgress | null;
}

/** The newest completed sweep's report, and the running sweep's progress. */
export async function lastSweep(services: SweepServices): Promise<LastSweep> {
  const { config } = services;
  const client = await services.temporal.client();
  const [runningNow] = await runningSweeps(services);
  let running: RunningSweepProgress | null = null;
  if (runningNow) {
    try {
      const handle = client.workflow.getHandle(runningNow.workflowId, runningNow.runId);
      running = { ...runningNow, progress: await withRpcDeadline(client, () => handle.query(sweepProgressQuery)) };
    } catch (err) {
      running = { ...runningNow, progressError: err instanceof Error ? err.message : String(err) };
    }
  }
  try {
    const completed = await listSweeps(client, config.accountId, 'Completed', 20);
    const newest = completed.sort((a, b) => (b.closeTime?.getTime() ?? 0) - (a.closeTime?.getTime() ?? 0))[0];
    const report = newest
      ? ((await client.workflow.getHandle(newest.workflowId, newest.runId).result()) as SweepReport)
      : null;
    return { accountId: config.accountId, report, running };
  } catch (err) {
    throw temporalProblem(err, config.temporal, 'read the last sweep');
  }
}
