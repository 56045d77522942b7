import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminalStage, type RunStatus } from '../common';
import { CliError, ExitCode } from './errors';
import { type Ctx } from './context';
import { queryStatus, type Run } from './runs';
import { shortTime } from './render';
import { type TemporalSession } from './temporal';

export interface Transition {
  stage: string;
  pendingDecision: RunStatus['pendingDecision'];
  details: string;
  seenAt: string;
}

const POLL_MS = 300;

/**
 * Follows a run through its `status` query until it waits for a human (dependencies, approval, Blocked) or ends,
 * printing each stage as it is reached. Polling, not history long-polling: the status query carries the stage
 * and the one-sentence details that a person wants to see, and costs one cheap round trip.
 */
export async function follow(
  ctx: Ctx,
  session: TemporalSession,
  run: Run,
  timeoutMs: number,
): Promise<{ status: RunStatus; transitions: Transition[] }> {
  const deadline = Date.now() + timeoutMs;
  const transitions: Transition[] = [];
  let last: RunStatus | undefined;
  for (;;) {
    let status: RunStatus | undefined;
    try {
      status = await queryStatus(session, run);
    } catch (err) {
      // Right after start the first workflow task may not have run yet; a closed run that failed has no status.
      const info = await run.handle.describe();
      if (info.status.name !== 'RUNNING') {
        throw new CliError(
          ExitCode.Unexpected,
          `the run ${run.workflowId} ended ${info.status.name.toLowerCase()} without a status`,
          'RunFailed',
          `See its history: temporal workflow show --workflow-id ${run.workflowId}`,
        );
      }
      if (Date.now() > deadline) throw err;
    }
    if (status) {
      if (!last || last.stage !== status.stage || last.pendingDecision !== status.pendingDecision) {
        const t: Transition = {
          stage: status.stage,
          pendingDecision: status.pendingDecision,
          details: status.details,
          seenAt: ctx.io.now().toISOString(),
        };
        transitions.push(t);
        ctx.out.progress(`  ${shortTime(t.seenAt).slice(11)}  ${t.stage.padEnd(16)} ${t.details}`);
      }
      last = status;
      if (isTerminalStage(status.stage) || status.pendingDecision !== null) return { status, transitions };
    }
    if (Date.now() > deadline) {
      throw new CliError(
        ExitCode.Stopped,
        `stopped following ${run.workflowId} after ${Math.round(timeoutMs / 1000)} s; it is still in stage ${last?.stage ?? 'unknown'}` +
          ' (the run goes on)',
        'WaitTimeout',
        `Check it with: offboard status ${run.workflowId}`,
      );
    }
    await sleep(POLL_MS);
  }
}
