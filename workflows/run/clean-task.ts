import { isCancellation } from '@temporalio/workflow';
import { FailureType } from '../../common/errors';
import { describeFailure } from './failures';
import type { Run } from './run';

/** How long a run looks for the end of a clean task locally before following it on the task queue. */
const QUICK_LOOK_MS = 5_000;

/**
 * Waits for a clean task to end (awaitCleanTask). Most end within a second: a local activity looks for the end for a
 * few seconds, in the workflow task the run is in. A task still running then (or a look that failed for a transient
 * reason) is followed by the activity on the task queue, with its retry policy, where on-call sees it pending in the
 * Temporal UI. A task that ended without success is CleanTaskFailed either way.
 */
export async function awaitCleanTaskEnd(
  run: Run,
  taskId: string,
  summary: string,
): Promise<{ state: string; requestIds: string[] }> {
  if (run.activities.local) {
    try {
      return await run.act('awaitCleanTask', summary, { taskId, withinMs: QUICK_LOOK_MS });
    } catch (err) {
      if (isCancellation(err) || describeFailure(err).type === FailureType.CleanTaskFailed) throw err;
    }
  }
  return run.activities.callOnQueue('awaitCleanTask', summary, { taskId });
}

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
        () => awaitCleanTaskEnd(run, taskId, `Wait for clean task ${taskId} to end before restoring access`),
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
