import { type Client, ScheduleNotFoundError, type WorkflowExecutionInfo } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, WorkflowIdConflictPolicy } from '@temporalio/common';
import { type InputProblem } from '../../common/errors';
import { onDemandSweepWorkflowId, sweepScheduleId } from '../../common/ids';
import { escapeMarkdown } from '../../common/presentation';
import { SearchAttributes } from '../../common/search-attributes';
import {
  SWEEP_WORKFLOW,
  type SweepInput,
  type SweepMode,
  type SweepProgress,
  sweepProgressQuery,
  type SweepReport,
  sweepSearchAttributes,
} from '../../common/sweep';
import { checkClusterIds } from '../../common/validation';
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

/** The least and most days of no login after which a live user's kubeconfig is reported as stale access. */
export const STALE_AFTER_DAYS = { min: 1, max: 3650 } as const;

export const SweepRules = {
  mode: (modes: readonly string[]) => `must be one of ${modes.join(', ')}`,
  staleAfterDays: `must be a whole number of days from ${STALE_AFTER_DAYS.min} to ${STALE_AFTER_DAYS.max}`,
} as const;

/** What a person asks of a sweep; the account and the requester are the server's and the signer's. */
export interface SweepRequest {
  mode: SweepMode;
  clusterIds?: string[];
  staleAfterDays?: number;
}

/** Refuses a sweep request that breaks a rule, naming each field, before anything is signed or sent. */
export function checkSweepRequest(request: SweepRequest, modes: readonly SweepMode[]): void {
  const problems: InputProblem[] = [];
  if (!modes.includes(request.mode)) problems.push({ field: 'mode', rule: SweepRules.mode(modes) });
  problems.push(...checkClusterIds(request.clusterIds));
  const days = request.staleAfterDays;
  if (days !== undefined && (!Number.isInteger(days) || days < STALE_AFTER_DAYS.min || days > STALE_AFTER_DAYS.max)) {
    problems.push({ field: 'staleAfterDays', rule: SweepRules.staleAfterDays });
  }
  if (problems.length > 0) throw badInput(problems);
}

/** The unsigned input of a sweep for `person` (its fields in one order: the signature covers exactly these). */
export function sweepInputOf(
  accountId: string,
  request: SweepRequest,
  person: Person,
  scheduleId?: string,
): Omit<SweepInput, 'authorization'> {
  return {
    accountId,
    mode: request.mode,
    ...(request.clusterIds ? { clusterIds: request.clusterIds } : {}),
    ...(request.staleAfterDays !== undefined ? { staleAfterDays: request.staleAfterDays } : {}),
    ...(scheduleId ? { scheduleId } : {}),
    requestedBy: person.subject,
    requestedByName: person.name,
  };
}

/** The Temporal UI's summary and details of a sweep run (an on-demand start and the schedule's action alike). */
export function sweepPresentation(input: Omit<SweepInput, 'authorization'>, how: string) {
  return {
    staticSummary: `Sweep orphaned kubeconfigs of account ${input.accountId} (${input.mode}, ${how}) requested by ${input.requestedBy}`,
    staticDetails: [
      `**Orphan sweep** of account ${input.accountId}: kubeconfigs and RBAC grants of identities RAM no longer has.`,
      `Mode: ${input.mode}. Requested by ${escapeMarkdown(input.requestedBy)} (${how}).`,
      `Clusters: ${input.clusterIds?.join(', ') ?? 'all'}. Stale access after ${input.staleAfterDays ?? 90} days.`,
      "Every sweep: `OffboardingReason='sweep'`. Query: sweepProgress.",
    ].join('\n'),
    memo: { clusterIds: input.clusterIds ?? null, mode: input.mode },
  };
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
  checkSweepRequest(request, ['dry-run', 'revoke']);
  return oneStartAtATime(async () => {
    const { config } = services;
    const [running] = await runningSweeps(services);
    if (running) throw sweepRunning(running, 'a sweep was not started');
    const input = sweepInputOf(config.accountId, request, person);
    const workflowId = onDemandSweepWorkflowId(config.accountId, nowMs ?? Date.now());
    const authorization = await services.signer.signRequest({
      workflow: SWEEP_WORKFLOW,
      workflowId,
      request: input,
      person,
    });
    const client = await services.temporal.client();
    try {
      const handle = await client.workflow.start(SWEEP_WORKFLOW, {
        workflowId,
        taskQueue: config.temporal.taskQueue,
        args: [{ ...input, authorization } satisfies SweepInput],
        // One id per request time: a second request in the same millisecond is the same request.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: sweepSearchAttributes(input),
        ...sweepPresentation(input, 'on demand'),
      });
      startedHere.set(config.accountId, { workflowId, runId: handle.firstExecutionRunId });
      return { workflowId, runId: handle.firstExecutionRunId, mode: request.mode };
    } catch (err) {
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
