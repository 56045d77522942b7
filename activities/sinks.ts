import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AuditEntry } from '../common/types';

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

export interface Notification {
  event: 'blocked' | 'dependencies-found' | 'approval-requested' | 'approval-reminder' | 'finished' | 'restored';
  workflowId: string;
  subject: string;
  text: string;
}

export interface Notifier {
  send(n: Notification): Promise<void>;
}

/** The default: one line on the worker's console (its log collector takes it from there). */
export function consoleNotifier(log: (line: string) => void = (l) => console.log(l)): Notifier {
  return {
    async send(n) {
      log(`[notify] ${n.event} ${n.workflowId}: ${n.subject} — ${n.text}`);
    },
  };
}

/** POSTs the notification as JSON; a non-2xx answer or a network error is thrown (the activity classifies it). */
export function webhookNotifier(url: string, timeoutMs = 5_000): Notifier {
  return {
    async send(n) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(n),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        const err = new Error(`webhook answered HTTP ${response.status}`) as Error & { statusCode: number };
        err.statusCode = response.status;
        throw err;
      }
    },
  };
}
