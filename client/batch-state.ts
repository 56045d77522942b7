import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type BatchRow, type BatchRowResult, isValidBatchId } from '../common/batch';
import { badInput } from './errors';

/**
 * What makes `offboard start --from-file leavers.csv` resumable: a state file next to the CSV
 * (`leavers.csv.offboard-state.json`) with the batch id and the lines that have started (or joined) a run, each with
 * a digest of its row, written after every chunk the API answered. A second run takes the same batch id and skips a
 * finished line whose row is unchanged; a line edited since (or refused before) is sent again. The file holds ids
 * and names, no secret.
 */

export interface FinishedLine {
  target: string;
  digest: string;
  status: 'started' | 'joined';
  workflowId?: string;
}

interface StateFile {
  batchId: string;
  /** The API the batch was started at: lines finished at another one are not finished here. */
  api: string;
  finished: Record<string, FinishedLine>;
}

export const stateFileOf = (csvPath: string) => `${csvPath}.offboard-state.json`;

/** The digest of a row as sent: a line whose row changed is not the line that finished. */
export function rowDigest(row: BatchRow): string {
  return createHash('sha256')
    .update(JSON.stringify(row.body ?? row.target))
    .digest('hex')
    .slice(0, 32);
}

export class BatchState {
  private constructor(
    readonly path: string,
    private readonly state: StateFile,
    /** The batch id came from an earlier run. */
    readonly resumed: boolean,
  ) {}

  /** The state next to `csvPath`, or a new one with `newBatchId` when there is none. */
  static open(csvPath: string, api: string, newBatchId: () => string): BatchState {
    const path = stateFileOf(csvPath);
    if (!existsSync(path)) return new BatchState(path, { batchId: newBatchId(), api, finished: {} }, false);
    let state: StateFile;
    try {
      state = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
    } catch (err) {
      throw badInput(`${path}: not a state file this CLI wrote (${err instanceof Error ? err.message : String(err)})`);
    }
    if (!isValidBatchId(state?.batchId) || typeof state.finished !== 'object' || typeof state.api !== 'string') {
      throw badInput(`${path}: not a state file this CLI wrote`, 'remove it to start the file afresh (a new batch)');
    }
    if (state.api !== api) {
      throw badInput(
        `${path} records a batch started at ${state.api}, not at ${api}`,
        'point OFFBOARD_API_URL at that API, or remove the state file to start afresh there',
      );
    }
    return new BatchState(path, state, true);
  }

  get batchId(): string {
    return this.state.batchId;
  }

  /** The row finished in an earlier run, unchanged since. */
  isFinished(row: BatchRow): boolean {
    return this.state.finished[row.line]?.digest === rowDigest(row);
  }

  /** Records the started and joined rows of a chunk and writes the file (whole, then renamed into place). */
  record(rows: Map<number, BatchRow>, results: BatchRowResult[]): void {
    for (const r of results) {
      const row = rows.get(r.line);
      if (!row || (r.status !== 'started' && r.status !== 'joined')) continue;
      this.state.finished[r.line] = {
        target: r.target,
        digest: rowDigest(row),
        status: r.status,
        workflowId: r.workflowId,
      };
    }
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state, null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}
