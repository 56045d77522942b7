import { rename, writeFile } from 'node:fs/promises';

/**
 * Writes a snapshot at most once per `delayMs`, off the request path: state changes on nearly every call (access key
 * last use), and a synchronous write per request would cap throughput at disk speed. Temp file + rename, so a crash
 * mid-write leaves the previous snapshot intact.
 */
export class DebouncedWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => string,
    private readonly onError: (err: Error) => void,
    private readonly delayMs = 100,
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, this.delayMs);
    // A pending write must not keep a process alive; close() flushes explicitly.
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.write();
  }

  private async write(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    const tmp = `${this.file}.${process.pid}.tmp`;
    this.writing = writeFile(tmp, this.snapshot())
      .then(() => rename(tmp, this.file))
      .catch((err: Error) => this.onError(err))
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }
}
