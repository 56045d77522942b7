import { type Client } from '@temporalio/client';
import { OffboardingStage } from '../../common/stages';
import { type TemporalConfig } from '../../config/temporal';
import { Problem, ProblemType } from '../problems';
import { RPC_TIMEOUT_MS } from './errors';
import { listQuery } from './list';

/**
 * The bulk intake's back-pressure (OFFBOARD_BATCH_IN_FLIGHT): a bulk start waits while the account already has that
 * many runs on their way to the approval, so that the runs busy at once fit in the workers' workflow cache. A cache
 * smaller than the runs busy at once makes every evicted run replay its whole history at its next task; a cache sized
 * for memory (README, Sizing the worker) needs its bulks held under it.
 *
 * On their way: running offboardings and revocations in the stages that work without waiting for a person.
 * DependencyCheck is left out: a run there may wait days for a dependency decision, and would hold the intake for as
 * long; runs pass through it quickly otherwise, so the bound leaves them a margin (README, Held intake).
 *
 * One hold serves every bulk request of this API process, so two batches at once share the bound. The count comes
 * from Temporal visibility, at most one count at a time and `pollMs` apart while a start waits. Visibility shows a
 * start only some time after it is made, so each start let through is added to the counts taken less than
 * VISIBILITY_LAG_MS after it: the bound errs towards fewer runs, not more. Several API replicas each add only their
 * own starts not yet visible.
 */
export const STAGES_ON_THEIR_WAY: readonly OffboardingStage[] = [
  OffboardingStage.Inventory,
  OffboardingStage.Quarantine,
  OffboardingStage.Revocation,
  OffboardingStage.Verification,
];

/**
 * How often the hold counts, at most: a count is a query over the namespace's visibility store (on the dev server's
 * SQLite, counting every 250 ms through a bulk of 10,000 cost the server about a third more CPU).
 */
export const DEFAULT_POLL_MS = 1_000;

/** How long a start may take to show in visibility's counts (Elasticsearch refreshes about every second). */
export const VISIBILITY_LAG_MS = 2_000;

export interface IntakeHoldSettings {
  /** Runs of the account on their way at most. */
  limit: number;
  /** The longest one bulk request waits for room (OFFBOARD_BATCH_HOLD_LIMIT): rows still waiting then are refused. */
  maxWaitMs: number;
  /** How often a waiting start counts again, and how old a count may be for a start that does not wait. */
  pollMs?: number;
}

export class IntakeHold {
  private counted: { n: number; sentAt: number } | undefined;
  /** When each start let through since the oldest count that may not show it was let through. */
  private letThrough: number[] = [];
  private counting: Promise<void> | undefined;

  constructor(
    /** The account's runs on their way now; a failure is a Problem. */
    private readonly countOnTheirWay: () => Promise<number>,
    private readonly settings: IntakeHoldSettings,
  ) {}

  /** The deadline of a bulk request that begins now: every start of the request waits until then at most. */
  deadlineFromNow(): number {
    return Date.now() + this.settings.maxWaitMs;
  }

  /**
   * Resolves when there is room for one more start, which it counts as on its way; throws a 503 Problem (nothing
   * started) at `deadline`, or when the count fails.
   */
  async room(deadline: number): Promise<void> {
    const pollMs = this.settings.pollMs ?? DEFAULT_POLL_MS;
    if (!this.counted || Date.now() - this.counted.sentAt > pollMs) await this.count(0);
    for (;;) {
      const onTheirWay = this.onTheirWay();
      if (onTheirWay < this.settings.limit) {
        this.letThrough.push(Date.now());
        return;
      }
      if (Date.now() + pollMs > deadline) throw this.held();
      await this.count(pollMs);
    }
  }

  private onTheirWay(): number {
    const counted = this.counted as { n: number; sentAt: number };
    // A start made before the count was sent, by more than visibility's lag, is in the count.
    const visibleBefore = counted.sentAt - VISIBILITY_LAG_MS;
    this.letThrough = this.letThrough.filter((t) => t >= visibleBefore);
    return counted.n + this.letThrough.length;
  }

  /** One count at a time, `afterMs` from now, whoever waits. */
  private count(afterMs: number): Promise<void> {
    this.counting ??= new Promise((r) => setTimeout(r, afterMs))
      .then(async () => {
        const sentAt = Date.now();
        this.counted = { n: await this.countOnTheirWay(), sentAt };
      })
      .finally(() => (this.counting = undefined));
    return this.counting;
  }

  private held(): Problem {
    const recent = this.letThrough.length;
    return new Problem(
      503,
      ProblemType.IntakeHeld,
      `held back: ${this.counted?.n ?? 0} runs of the account are on their way to the approval by visibility's count` +
        (recent
          ? `, plus ${recent} this API started in the last ${VISIBILITY_LAG_MS / 1000} s that it may not show yet`
          : '') +
        ` (OFFBOARD_BATCH_IN_FLIGHT=${this.settings.limit}); not enough made room within ` +
        `${formatMs(this.settings.maxWaitMs)} (OFFBOARD_BATCH_HOLD_LIMIT): are the workers running? ` +
        'Nothing was started for this row; send it again later',
    );
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The hold of the API's bulk intake for `accountId`, counting in Temporal visibility. */
export function intakeHoldFor(
  client: () => Promise<Client>,
  temporal: TemporalConfig,
  accountId: string,
  settings: IntakeHoldSettings,
): IntakeHold {
  const query = listQuery({ accountId, stages: STAGES_ON_THEIR_WAY, open: true, limit: 0 });
  return new IntakeHold(async () => {
    try {
      const c = await client();
      return (await c.withDeadline(Date.now() + RPC_TIMEOUT_MS, () => c.workflow.count(query))).count;
    } catch (err) {
      // Whatever the reason (Temporal down, a visibility store that cannot count this query, a rate limit), the
      // start cannot know whether there is room: it is held, and said why.
      const why = err instanceof Problem ? err.detail : err instanceof Error ? err.message : String(err);
      throw new Problem(
        503,
        ProblemType.IntakeHeld,
        `held back: cannot count the runs of the account on their way to the approval in namespace ${temporal.namespace}, ` +
          `which OFFBOARD_BATCH_IN_FLIGHT needs (Temporal's advanced visibility: a count with IN over OffboardingStage): ` +
          `${why}. Nothing was started ` +
          'for this row; send it again later',
      );
    }
  }, settings);
}
