import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminalStage } from '../common/stages';
import { type Api } from './api';
import { type Ctx } from './context';
import { CliError, ExitCode, runFailedError } from './errors';
import { shortTime } from './render';
import { getStatus, type RunDocument, type RunRef } from './runs';

export interface Transition {
  stage: string;
  /** When the run entered the stage (its own audit time). */
  at: string;
  details: string;
}

const POLL_MS = 300;
// `stage A → B`; the arrow as an escape keeps the compiled CLI pure ASCII, which it reads faster (bin/compiled-cli.js).
const STAGE_ENTRY = /^stage (\S+) \u2192 (\S+)$/;

/** Whether a failed read is worth asking again: the run's first step may not have run yet, or the API was busy. */
function isTransient(err: unknown): boolean {
  return err instanceof CliError && (err.exitCode === ExitCode.Unreachable || err.exitCode === ExitCode.Unexpected);
}

/**
 * Follows a run through the API until it waits for a human (dependencies, approval, Blocked) or ends, printing each
 * stage it enters. A run that failed (e.g. InvalidInput: a named cluster does not exist) ends the command with its
 * failure, by the one exit-code map. The transitions come from the run's audit trail (`stage A → B` entries, with the run's own
 * timestamps), so fast stages are not missed between two polls.
 */
export async function follow(
  ctx: Ctx,
  api: Api,
  run: RunRef,
  timeoutMs: number,
): Promise<{ status: RunDocument; transitions: Transition[] }> {
  const deadline = Date.now() + timeoutMs;
  const transitions: Transition[] = [];
  let seen = 0;
  let last: RunDocument | undefined;
  const record = (t: Transition) => {
    transitions.push(t);
    ctx.out.progress(line(t));
  };
  for (;;) {
    let status: RunDocument | undefined;
    try {
      status = await getStatus(api, run);
    } catch (err) {
      if (!isTransient(err) || Date.now() > deadline) throw err;
    }
    if (status) {
      if (transitions.length === 0) {
        // The stage the run started in: the "from" of its first transition, or where it still is.
        const firstFrom = status.audit.map((e) => STAGE_ENTRY.exec(e.action)).find(Boolean)?.[1];
        record({ stage: firstFrom ?? status.stage, at: status.startedAt, details: 'started' });
      }
      for (const entry of status.audit.slice(seen)) {
        const m = STAGE_ENTRY.exec(entry.action);
        if (m) record({ stage: m[2], at: entry.time, details: entry.detail ?? '' });
      }
      seen = status.audit.length;
      last = status;
      if (status.execution.failure) throw runFailedError(run.workflowId, status.execution.failure);
      const ended = status.execution.status !== 'RUNNING';
      if (ended || isTerminalStage(status.stage) || status.pendingDecision !== null) return { status, transitions };
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

function line(t: Transition): string {
  return `  ${shortTime(t.at).slice(11)}  ${t.stage.padEnd(16)} ${t.details}`;
}
