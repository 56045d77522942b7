import { allHandlersFinished, CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import { isTerminalStage, OffboardingStage } from '../../common/stages';
import { type RunResult } from '../../common/types';
import type { Run } from './run';

/**
 * How a run ends. The story returns `finish(...)` where it decides the end itself; a step that must end the run from
 * deeper down (a rescind at a step boundary, an abort of a Blocked step, a rejection) calls `endRun(...)`, which
 * unwinds to `runStages` — the one place that turns an early end, a cancellation or a failure into the run's result.
 */
class RunEnd extends Error {
  constructor(
    readonly stage: OffboardingStage,
    readonly outcome: string,
  ) {
    super(outcome);
    this.name = 'RunEnd';
  }
}

/** Ends the run early from inside a step: unwinds the story to `runStages`, which records the end. */
export function endRun(stage: OffboardingStage, outcome: string): never {
  throw new RunEnd(stage, outcome);
}

/** True for the unwinding of `endRun`: steps let it pass like a cancellation. */
export function isRunEnd(err: unknown): boolean {
  return err instanceof RunEnd;
}

/**
 * Records the end, writes out the rest of the audit trail (non-cancellable), notifies, and returns the run's result.
 * The trail is flushed again after the last handlers answered: their entries belong to it too.
 */
export async function finish(run: Run, stage: OffboardingStage, outcome: string): Promise<RunResult> {
  run.board.status.outcome = outcome;
  run.board.transition(stage, outcome);
  return CancellationScope.nonCancellable(async () => {
    await run.atBoundary(true);
    if (stage !== OffboardingStage.Cancelled)
      await run.activities.notify('finished', `${run.board.targetRef}: ${stage}`, outcome);
    await condition(allHandlersFinished); // let in-flight update handlers answer before the run closes
    await run.atBoundary(true);
    const { uid, audit } = run.board.status;
    return { stage, outcome, uid, audit, auditRecordPath: run.outbox.location };
  });
}

/**
 * Runs the story and turns every way it can end into the run's result: an early end → its stage; cancellation →
 * Cancelled (access is not restored), and the cancellation is reported; anything else fails the run.
 */
export async function runStages(run: Run, stages: () => Promise<RunResult>): Promise<RunResult> {
  try {
    return await stages();
  } catch (err) {
    if (err instanceof RunEnd) return finish(run, err.stage, err.outcome);
    if (isCancellation(err) && !isTerminalStage(run.board.stage)) {
      await finish(run, OffboardingStage.Cancelled, `cancelled in stage ${run.board.stage}; access was not restored`);
    }
    throw err;
  }
}
