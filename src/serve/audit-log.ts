// Append-only, hash-chained JSON Lines audit log: daily segments, batched writes, signed checkpoints, retention.
import { createHash, createHmac } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** One audit record before the log adds `seq` and `prev`; never contains raw prompt text or PII. */
export interface AuditRecord {
  id: string;
  time: string;
  [key: string]: unknown;
}

/** Options of {@link AuditLog}. */
export interface AuditLogOptions {
  dir: string;
  /** Segment files are made read-only as soon as they are created (the open descriptor still appends). */
  immutable?: boolean;
  /** Whole segments older than this many days are pruned; the chain is anchored across the cut. */
  retentionDays?: number;
  /** Resolve `write()` only after the record is on disk (fdatasync). */
  durable?: boolean;
  /** HMAC key signing checkpoints and anchors, so truncation and re-chaining need the key. */
  hmacKey?: string;
  /** A new segment starts past this size (default 64 MiB) or at UTC midnight. */
  maxSegmentBytes?: number;
  now?: () => number;
  /** Told about a failed batch write (the records stay un-acknowledged; never silent). */
  onError?: (e: Error) => void;
}

/** The chain's starting `prev`. */
export const GENESIS_HASH = '0'.repeat(64);
/** Non-durable logs refresh checkpoint.json at most this often; records newer than it are chain-checked only. */
export const CHECKPOINT_INTERVAL_MS = 100;
/** Names of the side files. */
export const CHECKPOINT_FILE = 'checkpoint.json';
/** A failed append is retried after this long (and on the next write or flush). */
const RETRY_MS = 1_000;
export const ANCHOR_FILE = 'anchor.json';

const SEGMENT_RE = /^audit-(\d{6})-(\d{8})\.jsonl$/;

/** Head of the chain: how many records and the hash of the last one. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** SHA-256 hex of one record line (without its newline). */
export function hashLine(line: string): string {
  return createHash('sha256').update(line).digest('hex');
}

/** HMAC-SHA-256 of a checkpoint or anchor's fields. */
export function signHead(key: string, kind: 'checkpoint' | 'anchor', head: ChainHead, extra = ''): string {
  return createHmac('sha256', key).update(`${kind}:${head.seq}:${head.hash}:${extra}`).digest('hex');
}

/** Segment file names in `dir`, oldest first. */
export async function listSegments(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => SEGMENT_RE.test(n)).sort();
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * Queues records and appends them in batches on the next event-loop turn, so the request path never
 * waits on disk. A crash (kill -9) can lose the records whose append had not completed: the batch being
 * written and those queued behind it (a few milliseconds of traffic); a torn last line is detected by
 * `ktpack audit verify`. With `durable`, a write resolves only after fdatasync, so nothing acknowledged
 * is lost. close() flushes everything.
 */
export class AuditLog {
  private queue: Array<{ record: AuditRecord; done?: () => void; fail?: (e: Error) => void }> = [];
  private handle?: FileHandle;
  private segment = '';
  private segmentDay = '';
  private segmentBytes = 0;
  private segmentNo = 0;
  private head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  private writing?: Promise<void>;
  private scheduled = false;
  private closed = false;
  /** Records written since open (for /health and tests). */
  written = 0;
  private readonly now: () => number;

  constructor(readonly options: AuditLogOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Current segment path. */
  get file(): string {
    return join(this.options.dir, this.segment);
  }

  /** Opens the log: prunes expired segments, finds the chain head, starts or continues a segment. */
  async open(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    await this.prune();
    const segments = await listSegments(this.options.dir);
    const anchor = await readJson<{ seq: number; hash: string }>(join(this.options.dir, ANCHOR_FILE));
    if (anchor) this.head = { seq: anchor.seq, hash: anchor.hash };
    let reuse: string | undefined;
    for (let i = segments.length - 1; i >= 0; i--) {
      const text = await readFile(join(this.options.dir, segments[i]), 'utf8');
      const head = lastRecord(text);
      if (head) {
        this.head = head;
        // A torn last line (crash mid-write) stays as evidence; new records go to a fresh segment.
        if (i === segments.length - 1 && text.endsWith('\n')) reuse = segments[i];
        break;
      }
      if (text.length > 0) break;
    }
    const last = segments[segments.length - 1];
    this.segmentNo = last ? Number(SEGMENT_RE.exec(last)![1]) : 0;
    if (reuse && SEGMENT_RE.exec(reuse)![2] === utcDay(this.now())) await this.openSegment(reuse);
    else await this.openSegment();
  }

  private async openSegment(existing?: string): Promise<void> {
    await this.handle?.close();
    if (!existing) this.segmentNo++;
    const day = utcDay(this.now());
    this.segment = existing ?? `audit-${String(this.segmentNo).padStart(6, '0')}-${day}.jsonl`;
    this.segmentDay = existing ? SEGMENT_RE.exec(existing)![2] : day;
    const path = join(this.options.dir, this.segment);
    this.handle = await open(path, 'a');
    this.segmentBytes = (await this.handle.stat()).size;
    if (this.options.immutable) await chmod(path, 0o444);
  }

  /**
   * Queues a record. The promise resolves once it is written (flushed to disk when `durable`);
   * callers that are not durable need not await it.
   */
  write(record: AuditRecord): Promise<void> {
    if (this.closed) {
      // Never silent, never an unhandled rejection that takes the process down.
      const e = new Error('audit log is closed');
      this.options.onError?.(e);
      const rejected = Promise.reject(e);
      rejected.catch(() => undefined);
      return rejected;
    }
    const p = new Promise<void>((done, fail) => this.queue.push({ record, done, fail }));
    // Marks the promise handled for callers that do not await it; failures still reach onError.
    p.catch(() => undefined);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush().catch((e: Error) => this.options.onError?.(e));
      });
    }
    return p;
  }

  /** Writes every queued record and updates the checkpoint. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.queue.length === 0 || !this.handle) return;
    const batch = this.queue;
    this.queue = [];
    this.writing = this.writeBatch(batch).finally(() => {
      this.writing = undefined;
    });
    await this.writing;
    while (this.checkpointing) await this.checkpointing;
  }

  /** Writes every queued record and a fresh checkpoint now. */
  async sync(): Promise<void> {
    await this.flush();
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (this.appended) await this.scheduleCheckpoint(true);
  }

  private async writeBatch(batch: AuditLog['queue']): Promise<void> {
    try {
      if (this.reopen || utcDay(this.now()) !== this.segmentDay || this.segmentBytes > (this.options.maxSegmentBytes ?? 64 * 1024 * 1024)) {
        await this.openSegment();
        this.reopen = false;
        await this.prune();
      }
      // The head moves only once the lines are in the file: a failed append must not chain later records
      // to records that were never written.
      let head = this.head;
      const lines: string[] = [];
      const heads: ChainHead[] = [];
      let text = '';
      for (const { record } of batch) {
        const line = JSON.stringify({ seq: head.seq + 1, prev: head.hash, ...record });
        head = { seq: head.seq + 1, hash: hashLine(line) };
        lines.push(line);
        heads.push(head);
        text += `${line}\n`;
      }
      try {
        await this.handle!.appendFile(text);
      } catch (e) {
        await this.requeueUnwritten(batch, lines, heads);
        throw e;
      }
      this.head = head;
      this.segmentBytes += Buffer.byteLength(text);
      if (this.options.durable) await this.handle!.datasync();
      // The checkpoint may only ever name records that are already in the file.
      this.appended = { ...this.head, segment: this.segment };
      this.written += batch.length;
      // Durable callers wait for the checkpoint too; otherwise it is written beside the next batch.
      const cp = this.scheduleCheckpoint();
      if (this.options.durable) await cp;
      for (const b of batch) b.done?.();
    } catch (e) {
      for (const b of batch) b.fail?.(e as Error);
      throw e;
    }
  }

  /**
   * After a failed append (full disk, I/O error): records whose whole line reached the file stay in the
   * chain; the others go back to the front of the queue and are retried in a fresh segment, where a partial
   * line left behind is a torn last line that verify reports. Nothing is lost and the chain never breaks.
   */
  private async requeueUnwritten(batch: AuditLog['queue'], lines: string[], heads: ChainHead[]): Promise<void> {
    const size = await this.handle!.stat().then((st) => st.size, () => this.segmentBytes);
    let end = this.segmentBytes;
    let kept = 0;
    while (kept < lines.length && (end += Buffer.byteLength(lines[kept]) + 1) <= size) kept++;
    if (kept > 0) {
      this.head = heads[kept - 1];
      this.appended = { ...this.head, segment: this.segment };
      this.written += kept;
      for (const b of batch.slice(0, kept)) b.done?.();
    }
    this.reopen = true;
    this.queue.unshift(...batch.slice(kept));
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush().catch((e: Error) => this.options.onError?.(e));
    }, RETRY_MS);
    this.retryTimer.unref?.();
  }

  private reopen = false;
  private retryTimer?: NodeJS.Timeout;
  private appended?: ChainHead & { segment: string };
  private checkpointing?: Promise<void>;
  private checkpointDirty = false;

  private checkpointTimer?: NodeJS.Timeout;
  private lastCheckpoint = 0;

  /**
   * Writes the checkpoint for the appended head, at most every CHECKPOINT_INTERVAL_MS unless durable
   * (so a busy log costs one small rename per interval, not per batch); coalesces overlapping requests.
   */
  private scheduleCheckpoint(force = false): Promise<void> {
    this.checkpointDirty = true;
    const wait = this.lastCheckpoint + CHECKPOINT_INTERVAL_MS - Date.now();
    if (!force && !this.options.durable && wait > 0) {
      this.checkpointTimer ??= setTimeout(() => {
        this.checkpointTimer = undefined;
        void this.scheduleCheckpoint(true).catch((e: Error) => this.options.onError?.(e));
      }, wait);
      this.checkpointTimer.unref?.();
      return Promise.resolve();
    }
    if (!this.checkpointing) {
      this.checkpointing = (async () => {
        while (this.checkpointDirty) {
          this.checkpointDirty = false;
          this.lastCheckpoint = Date.now();
          await this.writeCheckpoint();
        }
      })().finally(() => {
        this.checkpointing = undefined;
      });
    }
    return this.checkpointing;
  }

  private async writeCheckpoint(): Promise<void> {
    const head = this.appended;
    if (!head) return;
    const cp = {
      seq: head.seq,
      hash: head.hash,
      segment: head.segment,
      time: new Date(this.now()).toISOString(),
      ...(this.options.hmacKey ? { hmac: signHead(this.options.hmacKey, 'checkpoint', head) } : {}),
    };
    await atomicWrite(join(this.options.dir, CHECKPOINT_FILE), `${JSON.stringify(cp)}\n`, this.options.durable);
  }

  /** Deletes whole segments older than the retention period, anchoring the chain at the cut. */
  async prune(): Promise<number> {
    const days = this.options.retentionDays;
    if (!days) return 0;
    const cutoff = utcDay(this.now() - days * 86_400_000);
    const segments = await listSegments(this.options.dir);
    let pruned = 0;
    for (const name of segments) {
      if (name === this.segment || SEGMENT_RE.exec(name)![2] >= cutoff) break;
      const path = join(this.options.dir, name);
      const head = lastRecord(await readFile(path, 'utf8'));
      if (head) {
        const anchor = {
          seq: head.seq,
          hash: head.hash,
          pruned_through: name,
          time: new Date(this.now()).toISOString(),
          ...(this.options.hmacKey ? { hmac: signHead(this.options.hmacKey, 'anchor', head, name) } : {}),
        };
        await atomicWrite(join(this.options.dir, ANCHOR_FILE), `${JSON.stringify(anchor)}\n`, true);
      }
      await chmod(path, 0o644).catch(() => undefined);
      await rm(path, { force: true });
      pruned++;
    }
    return pruned;
  }

  /** Flushes every queued record and closes the file; later writes are refused. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.flush();
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (this.appended) await this.scheduleCheckpoint(true);
    while (this.checkpointing) await this.checkpointing;
    await this.handle?.close();
    this.handle = undefined;
  }
}

/** The last complete record of a segment's text (seq and hash), skipping a torn final line. */
export function lastRecord(text: string): ChainHead | undefined {
  const lines = text.split('\n');
  // Without a final newline the last piece is torn (or empty).
  lines.pop();
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const r = JSON.parse(lines[i]) as { seq?: unknown };
      if (typeof r.seq === 'number') return { seq: r.seq, hash: hashLine(lines[i]) };
    } catch {
      // A corrupt line: keep looking backwards; verify reports it.
    }
  }
  return undefined;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function atomicWrite(path: string, text: string, sync = false): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, { flush: sync });
  await rename(tmp, path);
}
