import { type Client } from '@temporalio/client';
import { OffboardingStage } from '../../common/stages';
import { SearchAttributes } from '../../common/search-attributes';
import { type TemporalConfig } from '../../config/temporal';
import { Problem, ProblemType } from '../problems';
import { temporalProblem } from './errors';

/**
 * The bulk intake's back-pressure (OFFBOARD_BATCH_IN_FLIGHT): a bulk start waits while the account already has that
 * many offboardings on their way to the approval, so that the runs busy at once fit in the workers' workflow cache.
 * A cache smaller than the runs busy at once makes every evicted run replay its whole history at its next task; a
 * cache sized for memory (README, Sizing the worker) needs its bulks held under it.
 *
 * On their way: running offboardings in the stages that work without waiting for a person. DependencyCheck is left
 * out: a run there may wait days for a dependency decision, and would hold the intake for as long.
 *
 * One hold serves every bulk request of this API process, so two batches at once share the bound; several API
 * replicas each hold on their own. The count comes from Temporal visibility, at most one count at a time and
 * `pollMs` apart while a start waits; starts let through since the last count are added to it, so the bound is kept
 * up to the lag of visibility (and the starts already under way when the count was taken).
 */
export const STAGES_ON_THEIR_WAY: readonly OffboardingStage[] = [
  OffboardingStage.Inventory,
  OffboardingStage.Quarantine,
  OffboardingStage.Revocation,
  OffboardingStage.Verification,
];

export interface IntakeHoldSettings {
  /** Offboardings of the account on their way at most. */
  limit: number;
  /** How long one start waits for room before its row is refused (OFFBOARD_BATCH_HOLD_LIMIT). */
  maxWaitMs: number;
  /** How often a waiting start counts again. */
  pollMs?: number;
}

export class IntakeHold {
  private counted: number | undefined;
  private letThroughSinceCount = 0;
  private counting: Promise<void> | undefined;

  constructor(
    /** The account's offboardings on their way now. */
    private readonly countOnTheirWay: () => Promise<number>,
    private readonly settings: IntakeHoldSettings,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * Resolves when there is room for one more start, which it counts as on its way; throws a 503 Problem (nothing
   * started) once it has waited `maxWaitMs`, or when the count fails.
   */
  async room(): Promise<void> {
    const deadline = Date.now() + this.settings.maxWaitMs;
    let waited = false;
    for (;;) {
      if (this.counted === undefined) await this.count(0);
      const onTheirWay = (this.counted as number) + this.letThroughSinceCount;
      if (onTheirWay < this.settings.limit) {
        this.letThroughSinceCount++;
        return;
      }
      if (waited && Date.now() >= deadline) throw this.held(onTheirWay);
      waited = true;
      await this.count(this.settings.pollMs ?? 250);
    }
  }

  /** One count at a time, `afterMs` from now, whoever waits. */
  private count(afterMs: number): Promise<void> {
    this.counting ??= this.sleep(afterMs)
      .then(() => this.countOnTheirWay())
      .then((n) => {
        this.counted = n;
        this.letThroughSinceCount = 0;
      })
      .finally(() => (this.counting = undefined));
    return this.counting;
  }

  private held(onTheirWay: number): Problem {
    return new Problem(
      503,
      ProblemType.IntakeHeld,
      `held back: ${onTheirWay} of the account's offboardings are on their way to the approval ` +
        `(OFFBOARD_BATCH_IN_FLIGHT=${this.settings.limit}) and none made room within ` +
        `${Math.round(this.settings.maxWaitMs / 1000)} s (OFFBOARD_BATCH_HOLD_LIMIT): are the workers running? ` +
        'Nothing was started for this row; send it again later',
    );
  }
}

/** The hold of the API's bulk intake for `accountId`, counting in Temporal visibility. */
export function intakeHoldFor(
  client: () => Promise<Client>,
  temporal: TemporalConfig,
  accountId: string,
  settings: IntakeHoldSettings,
): IntakeHold {
  const query = [
    `WorkflowType = 'offboardIdentity'`,
    `ExecutionStatus = 'Running'`,
    `${SearchAttributes.account.name} = '${accountId}'`,
    `${SearchAttributes.stage.name} IN (${STAGES_ON_THEIR_WAY.map((s) => `'${s}'`).join(', ')})`,
  ].join(' AND ');
  return new IntakeHold(async () => {
    try {
      return (await (await client()).workflow.count(query)).count;
    } catch (err) {
      throw temporalProblem(err, temporal, 'count the offboardings on their way to the approval');
    }
  }, settings);
}
