import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AuditEntry } from '../common/types';
import { type ActivityContext } from './deps';
import { type OffboardActivities } from './types';

/** Where the audit record of a finished (or stopped) run goes: JSON lines, one file per run. */
export interface AuditSink {
  write(record: AuditRecord): Promise<string>;
}

export interface AuditRecord {
  workflowId: string;
  runId: string;
  workflow: string;
  stage: string;
  outcome: string;
  entries: AuditEntry[];
}

/**
 * One file per run, rewritten whole through a temporary file and a rename: writing the same record twice (an
 * activity retried after a crash) leaves the same file, and a reader never sees half a record.
 */
export function directoryAuditSink(dir: string): AuditSink {
  return {
    async write(record) {
      await mkdir(dir, { recursive: true });
      const safeId = record.workflowId.replace(/[^A-Za-z0-9._-]/g, '_');
      const path = join(dir, `${safeId}__${record.runId}.jsonl`);
      const header = {
        workflowId: record.workflowId,
        runId: record.runId,
        workflow: record.workflow,
        stage: record.stage,
        outcome: record.outcome,
      };
      const lines = record.entries.map((e) => JSON.stringify({ ...header, ...e }));
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, lines.join('\n') + '\n', 'utf8');
      await rename(tmp, path);
      return path;
    },
  };
}

/** Audit: writes the run's record through the configured sink and returns its path. */
export function auditActivities({ deps }: ActivityContext): Pick<OffboardActivities, 'writeAuditRecord'> {
  return {
    async writeAuditRecord(record) {
      return deps.audit.write(record);
    },
  };
}
