import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type WorkflowHandle } from '@temporalio/client';

export const HISTORIES_DIR = join(__dirname, '..', 'histories');

/**
 * With RECORD_HISTORIES=1, writes the run's history to test/histories/<name>.json for the replay test
 * (`RECORD_HISTORIES=1 npx jest test/workflows` regenerates them; see test/histories/README.md).
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), JSON.stringify(history, null, 1) + '\n');
}
