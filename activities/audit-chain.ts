import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type TrustedKey } from '../common/signed-token';
import { type AuditEntry } from '../common/types';

/**
 * The audit file's format, shared by the sink that writes it and `verifyAuditFile` that checks it. One JSON object
 * per line, one chain per run:
 *
 *   {"v":1,"workflowId","runId","workflow","seq":n,"prev":"<hash of line n-1>", …the audit entry…,
 *    "hash":"<sha256 of this line without hash/kid/sig>","kid"?,"sig"?}
 *
 * `seq` counts the run's entries from 1; `prev` of the first is a hash of the run's ids, so a line cannot move to
 * another run. The last line of every append carries the worker's Ed25519 signature over the chain head
 * (`acs-offboarding-audit-head:v1`, ids, seq, hash): editing a line breaks its hash, re-hashing the chain after it
 * breaks the signature, and cutting lines off the end leaves an unsigned tail. Removing a whole run's file, or its
 * signed tail back to an earlier signed line, needs storage the worker cannot rewrite (README: SLS, or OSS with a
 * retention policy) — or a comparison with the run's history in Temporal.
 */

export interface RunRef {
  workflowId: string;
  runId: string;
  workflow: string;
}

export interface AuditLine extends RunRef, AuditEntry {
  v: 1;
  seq: number;
  prev: string;
  hash: string;
  kid?: string;
  sig?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The `prev` of a run's first line. */
export function genesisHash(run: RunRef): string {
  return sha256(`acs-offboarding-audit:v1\n${run.workflowId}\n${run.runId}`);
}

/** What the worker signs: the chain head of one run. */
function headMessage(run: RunRef, seq: number, hash: string): Buffer {
  return Buffer.from(`acs-offboarding-audit-head:v1\n${run.workflowId}\n${run.runId}\n${seq}\n${hash}`, 'utf8');
}

/** Signs chain heads with the worker's audit key (a private Ed25519 JWK). */
export interface AuditSigner {
  kid: string;
  sign(run: RunRef, seq: number, hash: string): string;
}

export function auditSigner(jwk: { kid: string; x: string; d?: string }): AuditSigner {
  if (!jwk.d) throw new Error(`audit key ${jwk.kid} has no private part (d)`);
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d }, format: 'jwk' });
  return {
    kid: jwk.kid,
    sign: (run, seq, hash) => sign(null, headMessage(run, seq, hash), key).toString('base64url'),
  };
}

/** The line of entry `seq` after a line whose hash is `prev`; the caller signs the last line of a batch. */
export function chainLine(run: RunRef, seq: number, prev: string, entry: AuditEntry): AuditLine {
  const body = { v: 1 as const, ...run, seq, prev, ...entry };
  return { ...body, hash: sha256(JSON.stringify(body)) };
}

/** The hash a line should carry, from its content. */
function contentHash(line: AuditLine): string {
  const { hash: _hash, kid: _kid, sig: _sig, ...body } = line;
  return sha256(JSON.stringify(body));
}

function isAuditLine(value: unknown): value is AuditLine {
  const l = value as Partial<AuditLine> | null;
  return (
    typeof l === 'object' &&
    l !== null &&
    l.v === 1 &&
    typeof l.workflowId === 'string' &&
    typeof l.runId === 'string' &&
    typeof l.seq === 'number' &&
    typeof l.prev === 'string' &&
    typeof l.hash === 'string'
  );
}

/** The last line of a run's file as the sink reads it back: where its chain continues. */
export function parseAuditLine(text: string): AuditLine | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isAuditLine(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface RunVerification extends RunRef {
  entries: number;
  /** The last sequence number covered by a signature that verified (or, without keys, that is present). */
  signedThrough?: number;
}

export interface AuditVerification {
  ok: boolean;
  lines: number;
  runs: RunVerification[];
  /** The first line (1-based) that breaks the file, and why. */
  firstBroken?: { line: number; reason: string };
  /** Signatures were found but no key was given to check them: the chain alone proves no authorship. */
  signaturesUnchecked: boolean;
}

/**
 * Checks an audit file: every line well-formed, its hash matching its content, each run's sequence unbroken and
 * chained to the line before; with `keys` (the worker's public audit keys), every signature valid and every run
 * ending on a signed line. Reads the file, changes nothing. `offboard audit --verify FILE` prints the result.
 */
export function verifyAuditFile(path: string, options: { keys?: readonly TrustedKey[] } = {}): AuditVerification {
  const text = readFileSync(path, 'utf8');
  const rows = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  const keys = new Map<string, KeyObject>(
    (options.keys ?? []).map((k) => [
      k.kid,
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k.x }, format: 'jwk' }),
    ]),
  );
  const checkKeys = options.keys !== undefined;
  const runs = new Map<string, RunVerification & { last: AuditLine; unsignedSince?: number }>();
  let signaturesUnchecked = false;
  const broken = (line: number, reason: string): AuditVerification => ({
    ok: false,
    lines: rows.length,
    runs: [...runs.values()].map(({ last: _l, unsignedSince: _u, ...r }) => r),
    firstBroken: { line, reason },
    signaturesUnchecked,
  });

  for (const [i, row] of rows.entries()) {
    const n = i + 1;
    const line = parseAuditLine(row);
    if (!line) return broken(n, 'not an audit line (not JSON, or fields missing)');
    if (contentHash(line) !== line.hash)
      return broken(n, `seq ${line.seq}: the hash does not match the content (edited)`);
    const key = `${line.workflowId}\n${line.runId}`;
    const run = runs.get(key);
    const expectedSeq = run ? run.last.seq + 1 : 1;
    const expectedPrev = run ? run.last.hash : genesisHash(line);
    if (line.seq !== expectedSeq) {
      return broken(n, `seq ${line.seq} where ${expectedSeq} was due: a line is missing, repeated or moved`);
    }
    if (line.prev !== expectedPrev) return broken(n, `seq ${line.seq}: not chained to the line before it`);
    let signedThrough = run?.signedThrough;
    if (line.sig !== undefined) {
      if (!checkKeys) {
        signaturesUnchecked = true;
        signedThrough = line.seq;
      } else {
        const publicKey = keys.get(line.kid ?? '');
        if (!publicKey) return broken(n, `seq ${line.seq}: signed with a key that is not trusted (${line.kid})`);
        const valid = verify(
          null,
          headMessage(line, line.seq, line.hash),
          publicKey,
          Buffer.from(line.sig, 'base64url'),
        );
        if (!valid) return broken(n, `seq ${line.seq}: the signature does not verify`);
        signedThrough = line.seq;
      }
    }
    runs.set(key, {
      workflowId: line.workflowId,
      runId: line.runId,
      workflow: line.workflow,
      entries: line.seq,
      signedThrough,
      last: line,
      unsignedSince: line.sig !== undefined ? undefined : (run?.unsignedSince ?? n),
    });
  }
  if (checkKeys) {
    for (const run of runs.values()) {
      if (run.unsignedSince !== undefined) {
        return broken(
          run.unsignedSince,
          `${run.workflowId}: the entries from seq ${(run.signedThrough ?? 0) + 1} on carry no signature (lines cut off or added)`,
        );
      }
    }
  }
  return {
    ok: true,
    lines: rows.length,
    runs: [...runs.values()].map(({ last: _l, unsignedSince: _u, ...r }) => r),
    signaturesUnchecked,
  };
}
