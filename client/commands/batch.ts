import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type BatchApprovalResult,
  type BatchRow,
  type BatchRowResult,
  batchRowsOfCsv,
  type BatchStartResult,
  newBatchId,
  summaryOf,
} from '../../common/batch';
import { BatchState } from '../batch-state';
import { type Ctx } from '../context';
import { badInput, CliError, ExitCode } from '../errors';
import { table } from '../output';
import { printable } from '../printable';

/**
 * The bulk paths of `start` and `approve`: `start --from-file leavers.csv` reads the CSV, refuses what is not a row
 * (each with its line), sends the rest to POST /v1/offboardings/batch in chunks under one batch id, shows its
 * progress, prints each identity's result and records the finished lines for a resume (client/batch-state.ts); after a
 * chunk the API could not start (Temporal or the workers down, the intake held back too long) it stops and names the
 * lines it did not send; `approve --batch ID` asks POST /v1/batches/{id}/approve to approve the batch's waiting runs,
 * one signed decision per run, and prints what each run answered.
 */

/** Rows per request: small enough that each answer comes well within the CLI's time limit, and shows progress. */
const CHUNK_ROWS = 100;
/** A chunk's starts are a few hundred milliseconds each, eight at once; a loaded server gets this long. */
const CHUNK_TIMEOUT_MS = 5 * 60_000;

const UNAVAILABLE = new Set(['temporal-unavailable', 'no-worker', 'intake-held', 'idp-unavailable', 'internal']);

const isUnavailable = (r: BatchRowResult) => r.status === 'refused' && !!r.problem && UNAVAILABLE.has(r.problem);

/** The exit code of a batch: 0 when no row was refused; else the gravest kind of refusal. */
function exitCodeOf(results: BatchRowResult[]): ExitCode {
  const refused = results.filter((r) => r.status === 'refused');
  if (refused.length === 0) return ExitCode.Ok;
  if (refused.some(isUnavailable)) return ExitCode.Unreachable;
  if (refused.some((r) => r.problem === 'bad-input')) return ExitCode.BadInput;
  return ExitCode.Refused;
}

/** `2, 5, 7-9`: lines for a person. */
function lineRanges(lines: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) j++;
    parts.push(i === j ? String(lines[i]) : `${lines[i]}-${lines[j]}`);
    i = j;
  }
  return parts.join(', ');
}

/** A failure part way: what was sent before is recorded, and the same command goes on from there. */
function resumable(err: unknown, statePath: string, sent: number): unknown {
  if (!(err instanceof CliError) || sent === 0) return err;
  const resume = `The lines sent before are recorded in ${statePath}: run the same command again to go on.`;
  return new CliError(err.exitCode, err.message, err.type, err.hint ? `${err.hint}\n${resume}` : resume);
}

function readCsv(path: string): BatchRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw badInput(`--from-file ${JSON.stringify(path)}: cannot be read (${code})`);
  }
  const csv = batchRowsOfCsv(text);
  if (csv.problems) {
    throw badInput(
      `--from-file ${JSON.stringify(path)}: ${csv.problems.map((p) => `${p.field}: ${p.rule}`).join('; ')}`,
      'the first line names the columns: target,reason[,ticket,comment,clusterIds,deleteNotBefore]',
    );
  }
  return csv.rows;
}

export async function startFromFile(ctx: Ctx, path: string, concurrency: number | undefined): Promise<ExitCode> {
  const rows = readCsv(path);
  const api = ctx.api();
  const state = BatchState.open(path, api.url, () => newBatchId(ctx.io.now(), randomBytes(6).toString('hex')));
  const skipped = rows.filter((r) => state.isFinished(r)).map((r) => r.line);
  const todo = rows.filter((r) => !state.isFinished(r));
  // A line that is not a row (a broken quote, a wrong number of cells, a target that is not user/… or role/…) is
  // refused here; every other check is the API's, the same as for a single start.
  const results: BatchRowResult[] = todo
    .filter((r) => r.problems)
    .map((r) => ({
      line: r.line,
      target: r.target,
      status: 'refused',
      problem: 'bad-input',
      errors: r.problems,
      reason: r.problems!.map((p) => `${p.field}: ${p.rule}`).join('; '),
    }));
  const send = todo.filter((r) => !r.problems);
  if (skipped.length > 0) {
    ctx.out.progress(
      `Skipped ${skipped.length} line(s) started in an earlier run of batch ${state.batchId} (${lineRanges(skipped)}); ` +
        'starting one of them again would only join its run.',
    );
  }

  // A progress line rewritten in place on a terminal (stdout has columns only there), plain lines otherwise.
  const tty = ctx.io.columns !== undefined && !ctx.out.json;
  let sent = 0;
  let notSent: number[] = [];
  let stopReason: string | undefined;
  const progress = () => {
    const s = summaryOf(['started', 'joined', 'refused'], results);
    const line = `Batch ${state.batchId}: ${sent}/${send.length} rows sent — ${s.started} started, ${s.joined} joined, ${s.refused} refused`;
    if (tty) ctx.io.stdout(`\r${printable(line)}`);
    else ctx.out.progress(line);
  };
  if (tty && send.length > 0) progress();
  for (let i = 0; i < send.length; i += CHUNK_ROWS) {
    const chunk = send.slice(i, i + CHUNK_ROWS);
    const answer = await api
      .post<BatchStartResult>(
        '/v1/offboardings/batch',
        { batchId: state.batchId, concurrency, rows: chunk.map((r) => ({ line: r.line, ...r.body })) },
        { timeoutMs: CHUNK_TIMEOUT_MS },
      )
      .catch((err: unknown) => {
        if (tty) ctx.io.stdout('\n');
        throw resumable(err, state.path, sent);
      });
    state.record(new Map(chunk.map((r) => [r.line, r])), answer.results);
    results.push(...answer.results);
    sent += chunk.length;
    progress();
    // A row the API could not start for a reason every later row meets too (Temporal or the workers down, the intake
    // held back): the chunks after it would only meet it again, each after its own wait.
    const blocker = answer.results.find(isUnavailable);
    if (blocker && sent < send.length) {
      notSent = send.slice(sent).map((r) => r.line);
      stopReason = blocker.reason;
      break;
    }
  }
  if (tty && send.length > 0) ctx.io.stdout('\n');

  results.sort((a, b) => a.line - b.line);
  const summary = summaryOf(['started', 'joined', 'refused'], results);
  const human = [
    results.length
      ? table(
          ['Line', 'Identity', 'Result', 'Run, or why refused'],
          results.map((r) => [r.line, r.target, r.status, r.status === 'refused' ? r.reason : r.workflowId]),
        )
      : 'Nothing to start.',
    `Batch ${state.batchId}: ${summary.started} started, ${summary.joined} joined (already running), ` +
      `${summary.refused} refused` +
      (skipped.length ? `; ${skipped.length} line(s) skipped, finished in an earlier run` : '') +
      '.',
    ...(notSent.length
      ? [
          `Stopped: ${notSent.length} line(s) not sent (${lineRanges(notSent)}), since the API could not start rows: ${stopReason}.`,
          `Run the same command again once the API can start rows: lines already started are skipped (${state.path}).`,
        ]
      : summary.refused
        ? [`Fix the refused lines and run the same command again: lines already started are skipped (${state.path}).`]
        : []),
    `Approve the runs once they wait for it: offboard approve --batch ${state.batchId}`,
  ].join('\n');
  ctx.out.result({ batchId: state.batchId, stateFile: state.path, skipped, notSent, summary, results }, human);
  return notSent.length ? ExitCode.Unreachable : exitCodeOf(results);
}

export async function approveBatch(ctx: Ctx, batchId: string, comment: string | undefined): Promise<ExitCode> {
  const answer = await ctx.api().post<BatchApprovalResult>(
    `/v1/batches/${encodeURIComponent(batchId)}/approve`,
    { comment },
    {
      timeoutMs: CHUNK_TIMEOUT_MS,
      flagOf: (field) => (field === 'batchId' ? '--batch' : `--${field}`),
    },
  );
  const { approved, refused, notWaiting } = answer.summary;
  const human = [
    table(
      ['Run', 'Stage', 'Result', 'Why'],
      answer.runs.map((r) => [
        r.workflowId,
        r.stage,
        r.status === 'notWaiting' ? 'not waiting' : r.status,
        r.refusal ? `${r.refusal}: ${r.reason}` : r.reason,
      ]),
    ),
    `Batch ${batchId}: ${approved} approved, ${refused} refused by their run, ${notWaiting} not waiting for approval.`,
    ...(answer.truncated ? ['More runs are in the batch than one approval goes through: run it again.'] : []),
  ].join('\n');
  ctx.out.result(answer, human);
  return refused > 0 ? ExitCode.Refused : ExitCode.Ok;
}
