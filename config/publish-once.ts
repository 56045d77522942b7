import { randomUUID } from 'node:crypto';
import { linkSync, unlinkSync, writeFileSync } from 'node:fs';

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
