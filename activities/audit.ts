import { mkdir, readFile, appendFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { type AuditEntry } from '../common/types';
import { type AuditSigner, chainLine, genesisHash, parseAuditLine, type RunRef } from './audit-chain';
import { type ActivityContext } from './deps';
import { type OffboardActivities } from './types';

/**
 * The audit trail outside Temporal. A run appends its entries as it goes (workflows/run/audit-outbox.ts), so a run
 * that is terminated, or whose worker dies for good, still leaves its record; each entry is chained to the one before
 * (activities/audit-chain.ts), so an edit shows.
 */

/** Entries of one run from `firstSeq` on (entry i has seq firstSeq + i). */
export interface AuditBatch extends RunRef {
  firstSeq: number;
  entries: AuditEntry[];
}

export interface AuditAppended {
  /** Where the run's trail is (a file path for the default sink). */
  location: string;
  /** The last sequence number the sink holds for the run: the workflow sends from the next one. */
  lastSeq: number;
}

/**
 * Where audit trails go. The default is a JSON-lines file per run on the worker's disk; production deployments point
 * a sink at storage the worker cannot rewrite (README: Alibaba Cloud SLS, or OSS with a retention policy).
 */
export interface AuditSink {
  /**
   * Appends the entries the sink does not hold yet, keyed by sequence number: a batch sent twice (an activity
   * retried after a lost answer) is written once. When the sink holds fewer entries than the batch assumes (its
   * copy was lost), it writes nothing and says how many it holds, and the run sends the rest again.
   */
  append(batch: AuditBatch): Promise<AuditAppended>;
}

/**
 * The default sink: `<dir>/<workflow id>__<run id>.jsonl`, appended to, the last line of each append signed when the
 * worker has an audit key. Appends to one file are serialized within the process; a partial last line (a crash in
 * the middle of a write) is cut off before the next append, since it was never acknowledged.
 */
export function jsonLinesAuditSink(dir: string, signer?: AuditSigner): AuditSink {
  const queues = new Map<string, Promise<unknown>>();

  async function appendNow(path: string, batch: AuditBatch): Promise<AuditAppended> {
    const run: RunRef = { workflowId: batch.workflowId, runId: batch.runId, workflow: batch.workflow };
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    if (complete.length < text.length) await truncate(path, Buffer.byteLength(complete, 'utf8'));
    const lastText = complete.trimEnd().split('\n').pop() ?? '';
    const last = lastText ? parseAuditLine(lastText) : undefined;
    if (lastText && !last) throw new Error(`${path}: the last line is not an audit line; the file was changed`);
    const lastSeq = last?.seq ?? 0;
    if (batch.firstSeq > lastSeq + 1) return { location: path, lastSeq };
    let prev = last?.hash ?? genesisHash(run);
    const lines = [];
    for (const [i, entry] of batch.entries.entries()) {
      const seq = batch.firstSeq + i;
      if (seq <= lastSeq) continue;
      const line = chainLine(run, seq, prev, entry);
      lines.push(line);
      prev = line.hash;
    }
    const head = lines[lines.length - 1];
    if (!head) return { location: path, lastSeq };
    if (signer) Object.assign(head, { kid: signer.kid, sig: signer.sign(run, head.seq, head.hash) });
    await appendFile(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n', { encoding: 'utf8', mode: 0o640 });
    return { location: path, lastSeq: head.seq };
  }

  return {
    async append(batch) {
      await mkdir(dir, { recursive: true });
      const safeId = batch.workflowId.replace(/[^A-Za-z0-9._-]/g, '_');
      const path = join(dir, `${safeId}__${batch.runId}.jsonl`);
      const before = queues.get(path) ?? Promise.resolve();
      const result = before.catch(() => undefined).then(() => appendNow(path, batch));
      queues.set(path, result);
      try {
        return await result;
      } finally {
        if (queues.get(path) === result) queues.delete(path);
      }
    },
  };
}

/** Audit: appends a run's new entries through the configured sink. */
export function auditActivities({ deps }: ActivityContext): Pick<OffboardActivities, 'appendAudit'> {
  return {
    async appendAudit(batch) {
      return deps.audit.append(batch);
    },
  };
}
