import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';

/**
 * The worker's log: one JSON object per line on stdout, for the Temporal SDK's own lines and for the workflows' and
 * activities' logs alike (they reach the Runtime's logger with the run's ids). The field names are the API's (pino's,
 * server/app.ts): `time`, `level`, `msg`, `service`, and `workflowId`, `runId`, `stage`, `alibabaRequestId` where
 * known. Nothing secret is written: the SDK's activity task token (whoever holds it can complete the activity) is
 * dropped, any field named like a credential is replaced by "[redacted]", and errors keep their type and message only
 * (the activities' messages are redacted where they are made, activities/classify.ts).
 */

export const WORKER_SERVICE = 'acs-offboarding-worker';

/** OFFBOARD_LOG_LEVEL's values, pino's names (the API reads the same variable), and the SDK's level for each. */
export const LOG_LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

/** Fields never written, whatever their value. */
const DROPPED = new Set(['taskToken']);
/** Fields whose value is never written: credentials by any of their usual names. */
const SECRET_NAME = /authori[sz]ation|token|password|passwd|secret|cookie|signature|private.?key|credential|api.?key/i;
/** The SDK's names for the run's ids, to the API's. */
const RENAMED: Record<string, string> = { workflowRunId: 'runId' };

export function jsonLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l)) {
  return new DefaultLogger(level, (entry: LogEntry) => write(`${jsonLine(entry)}\n`));
}

/** One log entry as its JSON line (without the newline). */
export function jsonLine(entry: LogEntry): string {
  const line: Record<string, unknown> = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level.toLowerCase(),
    service: WORKER_SERVICE,
    msg: entry.message,
  };
  for (const [key, value] of Object.entries(entry.meta ?? {})) {
    if (DROPPED.has(key) || value === undefined) continue;
    line[RENAMED[key] ?? key] = SECRET_NAME.test(key) ? '[redacted]' : loggable(value);
  }
  return JSON.stringify(line, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

/** Errors as their type and message (a stack or a cause can quote a request); nested objects redacted the same way. */
function loggable(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return { type: value.name, message: value.message };
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => loggable(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !DROPPED.has(key))
      .map(([key, v]) => [key, SECRET_NAME.test(key) ? '[redacted]' : loggable(v, depth + 1)]),
  );
}
