import { FailureType } from '../../common/errors';
import { describeFailure } from './failures';
import type { Run } from './run';

/**
 * The asynchronous clean task a run started and has not seen end. A clean task lands when it lands: re-granting RBAC
 * while it runs (a rescind, a rejection with restore) would be wiped by it a moment later, so the undo of revocation
 * first follows the task to its end — whatever that end is.
 */
export class CleanTaskInFlight {
  private taskId?: string;

  started(taskId: string | undefined): void {
    this.taskId = taskId;
  }

  ended(): void {
    this.taskId = undefined;
  }

  get running(): string | undefined {
    return this.taskId;
  }

  /** Waits (polling DescribeTaskInfo) until the task in flight, if any, has ended; a failed or lost task has ended too. */
  async settle(run: Run): Promise<void> {
    const taskId = this.taskId;
    if (!taskId) return;
    try {
      const task = await run.step(
        'DescribeTaskInfo (before restoring access)',
        () => run.act('awaitCleanTask', `Wait for clean task ${taskId} to end before restoring access`, { taskId }),
        { interruptible: false, handle: (type) => type === FailureType.CleanTaskFailed },
      );
      run.board.audit(
        'DescribeTaskInfo',
        'ok',
        `task ${taskId} ${task.state}: ended before access is restored`,
        task.requestIds,
      );
    } catch (err) {
      const failure = describeFailure(err);
      if (failure.type !== FailureType.CleanTaskFailed) throw err;
      run.board.audit('DescribeTaskInfo', 'info', `${failure.message}: ended before access is restored`);
    }
    this.ended();
  }
}
