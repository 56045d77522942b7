import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a whole file under `path` unless one is there: readers never see half a file, and the first writer wins.
 * The local key files (signing keys, payload keys) are made this way, because the worker and the server may both make
 * them at the same first start.
 */
export function publishOnce(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(tmp, content, { mode });
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** A random secret of `bytes` bytes kept in `path` (mode 0600): made on first use (atomically), the same one after. */
export function ensureLocalSecret(path: string, bytes: number): Buffer {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) publishOnce(path, randomBytes(bytes).toString('base64'), 0o600);
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
}
