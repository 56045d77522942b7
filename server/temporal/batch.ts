import {
  type BatchApprovalResult,
  type BatchApprovalRun,
  type BatchRow,
  type BatchRowResult,
  type BatchStartResult,
  MAX_BATCH_APPROVALS,
  summaryOf,
} from '../../common/batch';
import { type InputProblem } from '../../common/errors';
import { mapBounded } from '../../common/map-bounded';
import { OffboardingStage } from '../../common/stages';
import { SearchAttributes } from '../../common/search-attributes';
import { Problem, ProblemType } from '../problems';
import { type Services } from '../services';
import { type Person } from '../signer';
import { decideOnRun } from './decide';
import { temporalProblem } from './errors';
import { type IntakeHold } from './intake-hold';
import { checkStartInput, offboardFor, type OffboardingRequest } from './start';

/**
 * The bulk intake behind POST /v1/offboardings/batch and POST /v1/batches/{id}/approve. A bulk start checks every row
 * first, with the checks of a single start (the route has checked each row's shape against the single start's
 * schema), refuses a bad row with its line and the field and rule it broke, and starts the others through the one
 * start path (signed for the person, `joined` when a run of the identity is open), a bounded number at once, each
 * new run carrying the batch id as its OffboardingBatch search attribute, and each held back while the account has
 * OFFBOARD_BATCH_IN_FLIGHT offboardings on their way to the approval (intake-hold.ts). A bulk approval finds the batch's runs in
 * Temporal visibility and sends each run waiting for approval its own signed decision, through the decision path
 * every approval takes: the run checks four eyes and the rest itself, and a run that refuses is reported.
 */

type BatchServices = Pick<Services, 'config' | 'temporal' | 'signer'>;

/** A failure that every later start or decision would meet too: Temporal or its worker not answering (5xx). */
function unavailable(err: unknown): Problem | undefined {
  return err instanceof Problem && err.status >= 500 ? err : undefined;
}

/**
 * Sends a start or a decision for every item, at most `limit` at once; `failed` turns a failure into the item's result
 * (or throws it on). Once one fails as every later one would (`unavailable`), the items not yet begun get that failure
 * at once instead of each waiting for its own deadline; `down` is that failure.
 */
export async function sendEach<T, R>(
  items: readonly T[],
  limit: number,
  send: (item: T) => Promise<R>,
  failed: (item: T, err: unknown) => R,
): Promise<{ results: R[]; down?: Problem }> {
  let down: Problem | undefined;
  const results = await mapBounded(items, limit, async (item) => {
    try {
      if (down) throw down;
      return await send(item);
    } catch (err) {
      down ??= unavailable(err);
      return failed(item, err);
    }
  });
  return { results, down };
}

const listed = (problems: InputProblem[]) => problems.map((p) => `${p.field}: ${p.rule}`).join('; ');

function refusedRow(row: BatchRow, problems: InputProblem[]): BatchRowResult {
  return {
    line: row.line,
    target: row.target,
    status: 'refused',
    reason: listed(problems),
    problem: ProblemType.BadInput,
    errors: problems,
  };
}

/** A start's refusal or failure as the row's result; anything but a Problem is a bug and goes up. */
function failedRow(row: BatchRow, err: unknown): BatchRowResult {
  if (!(err instanceof Problem)) throw err;
  return {
    line: row.line,
    target: row.target,
    status: 'refused',
    reason: err.detail,
    problem: err.type,
    ...(err.extra.errors ? { errors: err.extra.errors } : {}),
  };
}

/** Each row checked as a single start is (its shape already checked), and a second row for one identity refused. */
function checkRows(services: BatchServices, rows: BatchRow[], person: Person) {
  const { config } = services;
  const firstLineOf = new Map<string, number>();
  return rows.map((row): { row: BatchRow; refused?: BatchRowResult } => {
    if (row.problems?.length) return { row, refused: refusedRow(row, row.problems) };
    const request = row.body as unknown as OffboardingRequest;
    const input = {
      ...request,
      accountId: config.accountId,
      requestedBy: person.subject,
      requestedByName: person.name,
    };
    try {
      checkStartInput('offboardIdentity', input, config.workerIdentity, config.timing);
    } catch (err) {
      if (err instanceof Problem && err.extra.errors) return { row, refused: refusedRow(row, err.extra.errors) };
      throw err;
    }
    const first = firstLineOf.get(row.target);
    if (first !== undefined) {
      return { row, refused: refusedRow(row, [{ field: 'target', rule: `is listed again (line ${first})` }]) };
    }
    firstLineOf.set(row.target, row.line);
    return { row };
  });
}

export async function startBatch(
  services: BatchServices,
  rows: BatchRow[],
  person: Person,
  options: { batchId: string; concurrency: number; hold?: IntakeHold },
): Promise<BatchStartResult> {
  const checked = checkRows(services, rows, person);
  const toStart = checked.flatMap(({ row, refused }) => (refused ? [] : [row]));
  // One deadline for the whole request: its rows wait for room together, so the answer comes within the limit.
  const holdUntil = options.hold?.deadlineFromNow();
  const { results: started } = await sendEach(
    toStart,
    options.concurrency,
    async (row): Promise<BatchRowResult> => {
      if (options.hold) await options.hold.room(holdUntil as number);
      const run = await offboardFor(services, row.body as unknown as OffboardingRequest, person, options.batchId);
      return {
        line: row.line,
        target: row.target,
        status: run.joined ? 'joined' : 'started',
        workflowId: run.workflowId,
        runId: run.runId,
      };
    },
    failedRow,
  );
  const results = [...checked.flatMap(({ refused }) => (refused ? [refused] : [])), ...started];
  results.sort((a, b) => a.line - b.line);
  return { batchId: options.batchId, summary: summaryOf(['started', 'joined', 'refused'], results), results };
}

/** The batch's runs of this account (open and closed), from Temporal visibility; the batch id matched its pattern. */
async function runsOfBatch(services: BatchServices, batchId: string) {
  const client = await services.temporal.client();
  const query = [
    `WorkflowType = 'offboardIdentity'`,
    `${SearchAttributes.account.name} = '${services.config.accountId}'`,
    `${SearchAttributes.batch.name} = '${batchId}'`,
  ].join(' AND ');
  const runs: Array<{ workflowId: string; target?: string; stage?: string; open: boolean }> = [];
  let truncated = false;
  try {
    for await (const info of client.workflow.list({ query, pageSize: 1000 })) {
      if (runs.length >= MAX_BATCH_APPROVALS) {
        truncated = true;
        break;
      }
      runs.push({
        workflowId: info.workflowId,
        target: info.typedSearchAttributes.get(SearchAttributes.target),
        stage: info.typedSearchAttributes.get(SearchAttributes.stage),
        open: info.status.name === 'RUNNING',
      });
    }
  } catch (err) {
    throw temporalProblem(err, services.config.temporal, `list the runs of batch ${batchId}`);
  }
  return { runs, truncated };
}

export async function approveBatch(
  services: BatchServices,
  batchId: string,
  comment: string | undefined,
  person: Person,
  concurrency: number,
): Promise<BatchApprovalResult> {
  const { runs, truncated } = await runsOfBatch(services, batchId);
  if (runs.length === 0) {
    throw new Problem(
      404,
      ProblemType.NotFound,
      `no offboarding in account ${services.config.accountId} has batch ${batchId}`,
    );
  }
  const about = (run: (typeof runs)[number]) => ({ workflowId: run.workflowId, target: run.target, stage: run.stage });
  const waiting = (run: (typeof runs)[number]) => run.open && run.stage === OffboardingStage.AwaitingApproval;
  const notWaiting = runs
    .filter((run) => !waiting(run))
    .map((run): BatchApprovalRun => {
      const why = run.open ? `the run is in stage ${run.stage ?? 'unknown'}` : `the run has ended (${run.stage ?? ''})`;
      return { ...about(run), status: 'notWaiting', reason: why };
    });
  const { results: sent } = await sendEach(
    runs.filter(waiting),
    concurrency,
    async (run): Promise<BatchApprovalRun> => {
      await decideOnRun(services, run.workflowId, 'approveDeletion', { comment }, person);
      return { ...about(run), status: 'approved' };
    },
    (run, err): BatchApprovalRun => {
      if (!(err instanceof Problem)) throw err;
      return { ...about(run), status: 'refused', refusal: err.extra.refusal ?? err.type, reason: err.detail };
    },
  );
  const decided = [...notWaiting, ...sent];
  decided.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
  return {
    batchId,
    summary: summaryOf(['approved', 'refused', 'notWaiting'], decided),
    runs: decided,
    ...(truncated ? { truncated } : {}),
  };
}
