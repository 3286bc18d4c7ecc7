// Append-only JSON Lines audit sink with batched writes off the request's critical path.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** One audit record; never contains raw prompt text or PII. */
export interface AuditRecord {
  id: string;
  time: string;
  [key: string]: unknown;
}

/**
 * Queues records and appends them in batches. A crash can lose at most the records queued
 * since the last flush (one event-loop turn); close() flushes everything.
 */
export class AuditSink {
  private queue: string[] = [];
  private handle?: FileHandle;
  private flushing?: Promise<void>;
  private scheduled = false;
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = join(dir, 'audit.jsonl');
  }

  /** Opens the log file for appending. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.handle = await open(this.file, 'a');
  }

  /** Queues a record; it is written on the next flush. */
  write(record: AuditRecord): void {
    this.queue.push(`${JSON.stringify(record)}\n`);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  /** Writes every queued record. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0 || !this.handle) return;
    const batch = this.queue.join('');
    this.queue = [];
    this.flushing = this.handle.appendFile(batch).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }
}
