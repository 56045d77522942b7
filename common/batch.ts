import { parseCsv } from './csv';
import { type InputProblem } from './errors';
import { IdentityTypes } from './validation';

/**
 * The bulk intake's contract, shared by the API (POST /v1/offboardings/batch, POST /v1/batches/{id}/approve) and the
 * CLI (`start --from-file`, `approve --batch`): the limits, the batch id, the CSV columns and how a CSV line becomes
 * the body of a single start, and the per-row and per-run results. A batch id is a label that finds the runs again
 * (the OffboardingBatch search attribute); it grants nothing: every start and every decision is signed for its run.
 */

/** Rows in one request: a larger list goes in several requests with the same batch id. */
export const MAX_BATCH_ROWS = 1000;
/** Starts in flight at once for one request, by default and at most. */
export const DEFAULT_BATCH_CONCURRENCY = 8;
export const MAX_BATCH_CONCURRENCY = 16;
/** The most runs one bulk approval goes through; the rest wait for the next one. */
export const MAX_BATCH_APPROVALS = 10_000;

// Letters, digits and ". _ : -": no quote can reach the visibility query it stands in.
const BATCH_ID = /^[A-Za-z0-9._:-]{1,64}$/;
export const batchIdPattern = BATCH_ID.source;
export const batchIdRule = 'must be 1-64 letters, digits or ".", "_", ":", "-" (a batch id)';
export const batchRowsRule = `must hold 1 to ${MAX_BATCH_ROWS} rows (send a longer list in several requests with the same batchId)`;
export const concurrencyRule = `must be a whole number from 1 to ${MAX_BATCH_CONCURRENCY}`;

export function isValidBatchId(id: unknown): id is string {
  return typeof id === 'string' && BATCH_ID.test(id);
}

/** A new batch id: when it was made, to the second, and 48 random bits (`batch-20261128T201500Z-3f9a…`). */
export function newBatchId(now: Date, randomHex: string): string {
  return `batch-${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z-${randomHex}`;
}

/** The columns a CSV may have: the fields of a single start's body. `target` and `reason` are required. */
export const CsvColumns = [
  'target',
  'reason',
  'ticket',
  'comment',
  'clusterIds',
  'deleteNotBefore',
  'approvalReminderEvery',
  'approvalExpiresAfter',
  'blockedReminderEvery',
] as const;
const REQUIRED_COLUMNS = ['target', 'reason'];

export const csvTargetRule = 'must be user/<name> or role/<name>';

/** A row to start: the line it came from and the body of a single start (checked by the API), or why it cannot be. */
export interface BatchRow {
  line: number;
  /** `user/<name>` or `role/<name>` when the row names one; else the target as written. */
  target: string;
  body?: Record<string, unknown>;
  problems?: InputProblem[];
}

/** What a CSV holds: its rows, or why the file as a whole is refused (its header). */
export type CsvBatch = { rows: BatchRow[]; problems?: undefined } | { rows?: undefined; problems: InputProblem[] };

/**
 * The rows of a CSV with a header line. Cells are trimmed and an empty cell is a field left out; `target` is
 * `user/<name>` or `role/<name>`; `clusterIds` lists cluster ids separated by spaces or semicolons. The values are
 * not checked here: each row is checked as the body of a single start.
 */
export function batchRowsOfCsv(text: string): CsvBatch {
  const [header, ...records] = parseCsv(text);
  if (!header) return { problems: [{ field: 'csv', rule: 'must have a header line and at least one row' }] };
  const columns = header.cells.map((c) => c.trim());
  const problems: InputProblem[] = [];
  if (header.error) problems.push({ field: `csv line ${header.line}`, rule: header.error });
  columns.forEach((name, i) => {
    if (!(CsvColumns as readonly string[]).includes(name)) {
      problems.push({
        field: `csv header "${name}"`,
        rule: `is not a column; the columns are ${CsvColumns.join(', ')}`,
      });
    } else if (columns.indexOf(name) !== i) {
      problems.push({ field: `csv header "${name}"`, rule: 'appears twice' });
    }
  });
  for (const name of REQUIRED_COLUMNS) {
    if (!columns.includes(name)) problems.push({ field: `csv header "${name}"`, rule: 'is a required column' });
  }
  if (problems.length > 0) return { problems };
  return { rows: records.map((record) => rowOfRecord(columns, record)) };
}

function rowOfRecord(columns: string[], record: { line: number; cells: string[]; error?: string }): BatchRow {
  const cells = record.cells.map((c) => c.trim());
  const written = cells[columns.indexOf('target')] ?? '';
  if (record.error) return { line: record.line, target: written, problems: [{ field: 'line', rule: record.error }] };
  if (cells.length !== columns.length) {
    const rule = `must have ${columns.length} cells, as the header has (it has ${cells.length})`;
    return { line: record.line, target: written, problems: [{ field: 'line', rule }] };
  }
  const body: Record<string, unknown> = {};
  columns.forEach((name, i) => {
    if (cells[i] !== '') body[name] = cells[i];
  });
  if (typeof body.clusterIds === 'string') body.clusterIds = body.clusterIds.split(/[\s;]+/).filter(Boolean);
  const slash = written.indexOf('/');
  const type = written.slice(0, slash);
  if (slash < 0 || !(IdentityTypes as readonly string[]).includes(type)) {
    return { line: record.line, target: written, problems: [{ field: 'target', rule: csvTargetRule }] };
  }
  body.target = { type, name: written.slice(slash + 1) };
  return { line: record.line, target: written, body };
}

export type BatchRowStatus = 'started' | 'joined' | 'refused';

export interface BatchRowResult {
  line: number;
  target: string;
  status: BatchRowStatus;
  workflowId?: string;
  runId?: string;
  /** Why the row was refused: each field and its rule, or the refusal. */
  reason?: string;
  /** The problem type of a refusal (server/problems.ts): bad-input, refused, temporal-unavailable, … */
  problem?: string;
  /** A bad-input refusal: each field and its rule. */
  errors?: InputProblem[];
}

export interface BatchStartResult {
  batchId: string;
  summary: Record<BatchRowStatus, number>;
  results: BatchRowResult[];
}

export type BatchApprovalStatus = 'approved' | 'refused' | 'notWaiting';

export interface BatchApprovalRun {
  workflowId: string;
  target?: string;
  /** The stage the run was in (from Temporal visibility). */
  stage?: string;
  status: BatchApprovalStatus;
  /** refused: the run's refusal type (FourEyes, OwnOffboarding, WrongStage, …) or the problem type. */
  refusal?: string;
  reason?: string;
}

export interface BatchApprovalResult {
  batchId: string;
  summary: Record<BatchApprovalStatus, number>;
  runs: BatchApprovalRun[];
  /** More runs matched than one bulk approval goes through (MAX_BATCH_APPROVALS): run it again for the rest. */
  truncated?: boolean;
}

/** Counts of each status, every status present. */
export function summaryOf<S extends string>(statuses: readonly S[], items: Array<{ status: S }>): Record<S, number> {
  const summary = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
  for (const item of items) summary[item.status]++;
  return summary;
}
