import {
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  ScheduleNotFoundError,
  type ScheduleOptionsStartWorkflowAction,
  ScheduleOverlapPolicy,
  type Workflow,
} from '@temporalio/client';
import { decodeJwt } from 'jose';
import { scheduledSweepWorkflowId, sweepScheduleId } from '../../common/ids';
import { SWEEP_WORKFLOW, type SweepInput, type SweepMode, SweepModes, sweepSearchAttributes } from '../../common/sweep';
import { sweepSummary } from '../../config/start-sweep';
import { checkDurationWithin, describeDuration } from '../../common/timing';
import { parseDurationMs } from '../../common/validation';
import { badInput, notFound, Problem, ProblemType } from '../problems';
import { type Services } from '../services';
import { type Person } from '../signer';
import { temporalProblem } from './errors';
import { checkedSweepInput, oneStartAtATime, runningSweeps, sweepRunning } from './sweep-runs';

/**
 * The account's sweep schedule (a Temporal Schedule, one per account): created or updated by an admin, whose schedule
 * grant (signed here, re-signed on every update, so that an update is also the renewal) every scheduled run carries
 * and verifies; overlap policy SKIP, so two sweeps never overlap; paused and unpaused with a note naming who; triggered
 * now; described (interval, pause, next runs, the grant's signer and expiry, the last runs). Over 300 lines because
 * it is one concept, the schedule and its grant: each operation reads the description the others write.
 */

type SweepServices = Pick<Services, 'config' | 'temporal' | 'signer'>;

const HOUR_MS = 3_600_000;
export const SCHEDULE_EVERY = { defaultText: '24h', minMs: HOUR_MS, maxMs: 30 * 24 * HOUR_MS } as const;

export interface ScheduleRequest {
  /** `24h`, `7d`, or milliseconds: at least an hour. Default 24h on creation; an update keeps the interval. */
  every?: string | number;
  /** Default `dry-run-first` on creation; an update keeps the mode. */
  mode?: SweepMode;
}

export interface ScheduleGrantView {
  signedBy: string;
  signedByName: string;
  issuedAt: string;
  expiresAt: string;
  expired: boolean;
}

export interface ScheduledRun {
  workflowId: string;
  runId: string;
  scheduledAt: string;
  takenAt: string;
  /** The run's execution status (RUNNING, COMPLETED, …); absent when Temporal no longer knows it. */
  execution?: string;
}

export interface SweepScheduleView {
  scheduleId: string;
  every: string;
  everyMs: number;
  /** The command that renews the grant (an update with the same interval). */
  renewCommand: string;
  mode: SweepMode;
  /** With mode dry-run-first: the runs that start before this only report. */
  revokeFrom?: string;
  clusterIds?: string[];
  taskQueue: string;
  paused: boolean;
  note?: string;
  nextRunTimes: string[];
  grant: ScheduleGrantView | null;
  running: string[];
  recentRuns: ScheduledRun[];
  skippedOverlap: number;
  createdAt: string;
  updatedAt?: string;
}

const scheduleHandle = (client: Client, accountId: string) => client.schedule.getHandle(sweepScheduleId(accountId));

function noSchedule(accountId: string): Problem {
  return notFound(
    `no sweep schedule for account ${accountId}: an admin creates it with PUT /v1/sweeps/schedule (offboard schedule sweep --every 24h)`,
  );
}

async function describeOrUndefined(handle: ScheduleHandle): Promise<ScheduleDescription | undefined> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/** The schedule's description, or 404 naming how to create it. */
async function describeSchedule(services: SweepServices): Promise<{ handle: ScheduleHandle; d: ScheduleDescription }> {
  const { config } = services;
  const handle = scheduleHandle(await services.temporal.client(), config.accountId);
  let d: ScheduleDescription | undefined;
  try {
    d = await describeOrUndefined(handle);
  } catch (err) {
    throw temporalProblem(err, config.temporal, `describe schedule ${handle.scheduleId}`);
  }
  if (!d) throw noSchedule(config.accountId);
  return { handle, d };
}

/** The input the schedule's action carries (decoded through the codec by the client). */
function actionInput(d: ScheduleDescription): SweepInput | undefined {
  return d.action.type === 'startWorkflow' ? (d.action.args?.[0] as SweepInput | undefined) : undefined;
}

/** Who signed the grant and until when: read from the token (the run verifies it; this only shows it). */
function grantOf(input: SweepInput | undefined, nowMs: number): ScheduleGrantView | null {
  if (!input?.authorization) return null;
  try {
    const c = decodeJwt(input.authorization);
    const exp = (c.exp ?? 0) * 1000;
    return {
      signedBy: String(c.sub),
      signedByName: typeof c.name === 'string' ? c.name : String(c.sub),
      issuedAt: new Date((c.iat ?? 0) * 1000).toISOString(),
      expiresAt: new Date(exp).toISOString(),
      expired: exp <= nowMs,
    };
  } catch {
    return null;
  }
}

async function viewOf(client: Client, d: ScheduleDescription, nowMs = Date.now()): Promise<SweepScheduleView> {
  const input = actionInput(d);
  const everyMs = d.spec.intervals?.[0]?.every ?? 0;
  const recentRuns = await Promise.all(
    d.info.recentActions.map(async (a): Promise<ScheduledRun> => {
      const { workflowId, firstExecutionRunId } = a.action.workflow;
      const execution = await client.workflow
        .getHandle(workflowId, firstExecutionRunId)
        .describe()
        .then(
          (w) => w.status.name,
          () => undefined,
        );
      return {
        workflowId,
        runId: firstExecutionRunId,
        scheduledAt: a.scheduledAt.toISOString(),
        takenAt: a.takenAt.toISOString(),
        execution,
      };
    }),
  );
  return {
    scheduleId: d.scheduleId,
    every: describeDuration(everyMs),
    everyMs,
    renewCommand: renewCommandOf(d),
    mode: input?.mode ?? 'dry-run-first',
    ...(input?.revokeFrom ? { revokeFrom: input.revokeFrom } : {}),
    ...(input?.clusterIds ? { clusterIds: input.clusterIds } : {}),
    taskQueue: d.action.taskQueue,
    paused: d.state.paused,
    note: d.state.note || undefined,
    nextRunTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    grant: grantOf(input, nowMs),
    running: d.info.runningActions.map((a) => a.workflow.workflowId),
    recentRuns: recentRuns.reverse(), // newest first
    skippedOverlap: d.info.numActionsSkippedOverlap,
    createdAt: d.info.createdAt.toISOString(),
    updatedAt: d.info.lastUpdatedAt?.toISOString(),
  };
}

/** What the schedule looks like now (404 when the account has none). */
export async function sweepSchedule(services: SweepServices): Promise<SweepScheduleView> {
  const { d } = await describeSchedule(services);
  return viewOf(await services.temporal.client(), d);
}

/**
 * The schedule's action: its input (with `dry-run-first`, `revokeFrom`: runs that start earlier only report), the
 * admin's grant over exactly that input, the sweep's search attributes, the task queue, the UI's summary.
 */
async function actionFor(
  services: SweepServices,
  mode: SweepMode,
  revokeFrom: string | undefined,
  everyMs: number,
  person: Person,
): Promise<ScheduleOptionsStartWorkflowAction<Workflow>> {
  const { config } = services;
  const scheduleId = sweepScheduleId(config.accountId);
  const workflowId = scheduledSweepWorkflowId(config.accountId);
  const input = checkedSweepInput(config.accountId, { mode }, person, SweepModes, { scheduleId, revokeFrom });
  const authorization = await services.signer.signScheduleGrant({
    workflow: SWEEP_WORKFLOW,
    scheduleId,
    workflowId,
    request: input,
    person,
    lifetimeSeconds: config.sweepGrantLifetimeSeconds,
  });
  return {
    type: 'startWorkflow',
    workflowType: SWEEP_WORKFLOW,
    workflowId,
    taskQueue: config.temporal.taskQueue,
    args: [{ ...input, authorization } satisfies SweepInput],
    typedSearchAttributes: sweepSearchAttributes(input),
    staticSummary: `${sweepSummary(input)}, every ${describeDuration(everyMs)}`,
  };
}

/**
 * When a `dry-run-first` schedule starts revoking: one interval after it was created (or switched to this mode), so
 * that the first scheduled run's findings can be read before anything is revoked. An update keeps the date.
 */
function revokeFromOf(mode: SweepMode, before: SweepInput | undefined, everyMs: number, nowMs: number) {
  if (mode !== 'dry-run-first') return undefined;
  if (before?.mode === 'dry-run-first' && before.revokeFrom) return before.revokeFrom;
  return new Date(nowMs + everyMs).toISOString();
}

/**
 * Creates the schedule, or updates it: the interval and mode asked for (an update keeps what is not asked), and in
 * both cases a fresh grant signed for `person` (role scheduleSweep). A paused schedule stays paused.
 */
export async function putSweepSchedule(
  services: SweepServices,
  request: ScheduleRequest,
  person: Person,
  nowMs = Date.now(),
): Promise<SweepScheduleView & { created: boolean }> {
  const problems = checkDurationWithin(request.every, 'every', SCHEDULE_EVERY.minMs, SCHEDULE_EVERY.maxMs);
  if (request.mode !== undefined && !SweepModes.includes(request.mode)) {
    problems.push({ field: 'mode', rule: `must be one of ${SweepModes.join(', ')}` });
  }
  if (problems.length > 0) throw badInput(problems);
  const { config } = services;
  const client = await services.temporal.client();
  const handle = scheduleHandle(client, config.accountId);
  try {
    const before = await describeOrUndefined(handle);
    const beforeInput = before && actionInput(before);
    const everyMs =
      request.every !== undefined
        ? msOf(request.every)
        : (before?.spec.intervals?.[0]?.every ?? msOf(SCHEDULE_EVERY.defaultText));
    const mode = request.mode ?? beforeInput?.mode ?? 'dry-run-first';
    const revokeFrom = revokeFromOf(mode, beforeInput, everyMs, nowMs);
    const action = await actionFor(services, mode, revokeFrom, everyMs, person);
    const spec = { intervals: [{ every: everyMs }] };
    const policies = { overlap: ScheduleOverlapPolicy.SKIP, pauseOnFailure: false };
    if (!before) {
      await client.schedule.create({
        scheduleId: handle.scheduleId,
        spec,
        action,
        policies,
        state: { note: `created by ${who(person)}` },
      });
    } else {
      await handle.update((prev) => ({
        ...prev,
        spec,
        action,
        policies: { ...prev.policies, ...policies },
        state: prev.state.paused ? prev.state : { ...prev.state, note: `updated by ${who(person)}` },
      }));
    }
    return { ...(await viewOf(client, await handle.describe())), created: !before };
  } catch (err) {
    throw temporalProblem(err, config.temporal, `create or update schedule ${handle.scheduleId}`);
  }
}

/** Milliseconds of a duration that passed `checkDurationWithin`. */
const msOf = (every: string | number) => parseDurationMs(every) as number;

const who = (person: Person) => `${person.name} (${person.subject})`;

/** Pauses (or unpauses) the schedule, with a note naming who and why; the schedule's state is returned. */
export async function setSweepSchedulePaused(
  services: SweepServices,
  paused: boolean,
  person: Person,
  note?: string,
): Promise<SweepScheduleView> {
  const { handle } = await describeSchedule(services);
  const text = `${paused ? 'paused' : 'unpaused'} by ${who(person)}${note ? `: ${note}` : ''}`;
  try {
    await (paused ? handle.pause(text) : handle.unpause(text));
    return viewOf(await services.temporal.client(), await handle.describe());
  } catch (err) {
    throw temporalProblem(err, services.config.temporal, `${paused ? 'pause' : 'unpause'} ${handle.scheduleId}`);
  }
}

export interface TriggeredSweep {
  scheduleId: string;
  /** The run the trigger started, once the schedule reports it (within a few seconds). */
  workflowId?: string;
}

const renewCommandOf = (d: ScheduleDescription) =>
  `offboard schedule sweep --every ${everyFlag(d.spec.intervals?.[0]?.every ?? 0)}`;

/** An interval as `--every` takes it: whole hours as `24h`, else milliseconds. */
export const everyFlag = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : String(ms));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the schedule's action now (overlap SKIP): refused (409, naming it) while a sweep of the account runs, and
 * while the grant has expired (the run would refuse itself: an admin renews it first with an update).
 */
export async function triggerSweepSchedule(services: SweepServices, nowMs = Date.now()): Promise<TriggeredSweep> {
  const { config } = services;
  const { handle, d } = await describeSchedule(services);
  const grant = grantOf(actionInput(d), nowMs);
  if (!grant || grant.expired) {
    throw new Problem(
      409,
      ProblemType.Refused,
      `the schedule's grant ${grant ? `expired at ${grant.expiresAt}` : 'is missing'}: its runs would refuse to start. An admin renews it by updating the schedule (${renewCommandOf(d)})`,
      { refusal: 'GrantExpired' },
    );
  }
  return oneStartAtATime(async () => {
    const [running] = await runningSweeps(services);
    if (running) throw sweepRunning(running, 'the schedule was not triggered');
    try {
      const before = await handle.describe();
      await handle.trigger(ScheduleOverlapPolicy.SKIP);
      // The schedule starts the run a moment later: wait (briefly) to name it.
      for (let i = 0; i < 50; i++) {
        const now = await handle.describe();
        if (now.info.numActionsTaken > before.info.numActionsTaken) {
          const newest = now.info.recentActions[now.info.recentActions.length - 1];
          return { scheduleId: handle.scheduleId, workflowId: newest?.action.workflow.workflowId };
        }
        if (now.info.numActionsSkippedOverlap > before.info.numActionsSkippedOverlap) {
          const [other] = await runningSweeps(services);
          throw sweepRunning(
            other ?? { workflowId: now.info.runningActions[0]?.workflow.workflowId ?? '?', runId: '', scheduled: true },
            'the schedule skipped the trigger',
          );
        }
        await sleep(100);
      }
      return { scheduleId: handle.scheduleId };
    } catch (err) {
      throw temporalProblem(err, config.temporal, `trigger ${handle.scheduleId}`);
    }
  });
}
