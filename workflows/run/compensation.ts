import { CancellationScope } from '@temporalio/workflow';
import { OffboardingStage } from '../../common/stages';
import type { Run } from './run';

/** One undo step, registered by the step whose change it undoes. */
export interface Compensation {
  name: string;
  run: () => Promise<void>;
}

/** The undo steps registered so far, latest last; run in reverse on rejection with restore, rescind or abort. */
export class Compensations {
  private readonly list: Compensation[] = [];

  constructor(private readonly onChange: (names: string[]) => void) {}

  register(compensation: Compensation): void {
    this.list.push(compensation);
    this.onChange(this.names());
  }

  names(): string[] {
    return this.list.map((c) => c.name);
  }

  /**
   * Runs the undo steps in reverse order, in a non-cancellable scope: once started, access comes back even if the
   * run is cancelled. An undo step that fails non-retryably blocks like any step (retry or abort).
   */
  async undoAll(run: Run, why: string): Promise<void> {
    if (this.list.length === 0) {
      run.board.audit('compensation', 'info', `${why}: nothing to undo`);
      return;
    }
    await CancellationScope.nonCancellable(async () => {
      run.board.transition(
        OffboardingStage.Restoring,
        `Restoring access (${why}): ${this.list.length} step(s) in reverse order`,
      );
      while (this.list.length > 0) {
        const c = this.list[this.list.length - 1];
        await run.step(`undo: ${c.name}`, c.run, { interruptible: false });
        this.list.pop();
        this.onChange(this.names());
        run.board.audit(`undo: ${c.name}`, 'ok');
      }
    });
    await run.activities.notify('restored', `${run.board.targetRef}: access restored`, why);
  }
}
