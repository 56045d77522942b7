/**
 * The stage gauges of the worker's metrics, from Temporal's visibility (the OffboardingStage search attribute) every
 * interval: running runs by stage, the Blocked count, how long the longest-Blocked run has been Blocked and how long
 * the oldest run has awaited approval. Runs of the worker's task queue only. Several workers on one queue report the
 * same figures (dashboards and alerts take their max).
 *
 * Bounded in cost whatever the number of runs: one count per stage; the approval age by bisecting counts on StartTime
 * (at most ~2·log2(range/precision) counts, no list of the 10,000 waiting runs); the Blocked age from the status of at
 * most BLOCKED_SAMPLE Blocked runs (Blocked is the exception: more than that many is an incident of its own).
 */
import { type Client } from '@temporalio/client';
import { statusQuery } from '../common/messages';
import { OffboardingStage, terminalStages } from '../common/stages';
import { SweepStages } from '../common/sweep';
import { type OffboardMetrics } from '../activities/metrics';

/** The stages a running run can be in: the offboarding ones before their end, and the sweep's. */
const RUNNING_STAGES: readonly string[] = [
  ...new Set([
    ...Object.values(OffboardingStage).filter((s) => !terminalStages.includes(s)),
    ...SweepStages.filter((s) => s === 'Scanning' || s === 'Revoking'),
  ]),
];

const BLOCKED_SAMPLE = 50;
/** The approval age is exact to this much, and looked for no further back than APPROVAL_HORIZON_MS. */
const APPROVAL_PRECISION_MS = 60_000;
const APPROVAL_HORIZON_MS = 366 * 24 * 3600_000;

export interface StageCollector {
  /** One collection now (the first runs at start); resolves when the gauges are set. */
  collect(): Promise<void>;
  stop(): void;
}

export function startStageCollector(options: {
  client: Client;
  taskQueue: string;
  metrics: OffboardMetrics;
  intervalMs: number;
  now?: () => number;
}): StageCollector {
  const { client, metrics } = options;
  const now = options.now ?? Date.now;
  const running = `ExecutionStatus = 'Running' AND TaskQueue = '${options.taskQueue.replace(/'/g, "''")}'`;
  const inStage = (stage: string) => `${running} AND OffboardingStage = '${stage}'`;
  const count = async (query: string) => (await client.workflow.count(query)).count;

  async function collect(): Promise<void> {
    try {
      const counts = await Promise.all(RUNNING_STAGES.map((stage) => count(inStage(stage))));
      RUNNING_STAGES.forEach((stage, i) => metrics.runsByStage.set({ stage }, counts[i]));
      const blocked = counts[RUNNING_STAGES.indexOf(OffboardingStage.Blocked)];
      const awaiting = counts[RUNNING_STAGES.indexOf(OffboardingStage.AwaitingApproval)];
      metrics.blockedRuns.set(blocked);
      metrics.oldestBlockedAge.set(blocked > 0 ? (await longestBlockedMs()) / 1000 : 0);
      metrics.oldestApprovalAge.set(awaiting > 0 ? (await oldestStartAgeMs(inStage('AwaitingApproval'))) / 1000 : 0);
    } catch {
      // Temporal unreachable or busy: the gauges keep their last values, and the failure is counted.
      metrics.stageCollectionErrors.inc();
    }
  }

  /** Since when the sampled Blocked runs have been Blocked (their status' pendingSince; else their start). */
  async function longestBlockedMs(): Promise<number> {
    const sample: Array<{ workflowId: string; runId: string; startTime: Date }> = [];
    for await (const run of client.workflow.list({
      query: inStage(OffboardingStage.Blocked),
      pageSize: BLOCKED_SAMPLE,
    })) {
      sample.push(run);
      if (sample.length >= BLOCKED_SAMPLE) break;
    }
    const since = await Promise.all(
      sample.map(async (run) => {
        try {
          const status = await client.workflow.getHandle(run.workflowId, run.runId).query(statusQuery);
          if (status.stage === OffboardingStage.Blocked && status.pendingSince) return Date.parse(status.pendingSince);
        } catch {
          // no answer to the query (a worker busy or gone): its start is the earliest it can have blocked
        }
        return run.startTime.getTime();
      }),
    );
    return since.length > 0 ? Math.max(0, now() - Math.min(...since)) : 0;
  }

  /**
   * How long ago the oldest run matching `query` started, by bisection on StartTime: a run reaches AwaitingApproval
   * seconds after its start unless it blocked on the way, so its start bounds its wait from above.
   */
  async function oldestStartAgeMs(query: string): Promise<number> {
    const t = now();
    const startedBefore = (ageMs: number) =>
      count(`${query} AND StartTime <= '${new Date(t - ageMs).toISOString()}'`).then((n) => n > 0);
    // Double the age until no run is that old, then halve the gap: `young` has a run at least that old, `old` none.
    let young = 0;
    let old = APPROVAL_PRECISION_MS;
    while (old < APPROVAL_HORIZON_MS && (await startedBefore(old))) {
      young = old;
      old *= 2;
    }
    while (old - young > APPROVAL_PRECISION_MS) {
      const mid = Math.floor((young + old) / 2);
      if (await startedBefore(mid)) young = mid;
      else old = mid;
    }
    return young;
  }

  // A collection slower than the interval (a loaded server) is not stacked with the next one.
  let inFlight: Promise<void> | undefined;
  const tick = () => {
    inFlight ??= collect().finally(() => (inFlight = undefined));
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  tick();
  return { collect, stop: () => clearInterval(timer) };
}
