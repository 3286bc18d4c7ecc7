// Append-only, hash-chained JSON Lines audit log: daily segments, batched writes, signed checkpoints, retention.
import * as crypto from 'node:crypto';
import { write as fdWrite } from 'node:fs';
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
export const ANCHOR_FILE = 'anchor.json';

const SEGMENT_RE = /^audit-(\d{6})-(\d{8})\.jsonl$/;

/** Head of the chain: how many records and the hash of the last one. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** SHA-256 hex of one record line (without its newline). */
export function hashLine(line: string): string {
  return oneShotHash ? oneShotHash('sha256', line, 'hex') : crypto.createHash('sha256').update(line).digest('hex');
}

/** `crypto.hash` (Node >= 20.12): one call, no Hash object per record. */
const oneShotHash = (crypto as unknown as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

/** HMAC-SHA-256 of a checkpoint or anchor's fields. */
export function signHead(key: string, kind: 'checkpoint' | 'anchor', head: ChainHead, extra = ''): string {
  return crypto.createHmac('sha256', key).update(`${kind}:${head.seq}:${head.hash}:${extra}`).digest('hex');
}

/** Segment file names in `dir`, oldest first. */
export async function listSegments(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => SEGMENT_RE.test(n)).sort();
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/** A promise with its settle functions: one per batch, shared by every record in it. */
interface Batch {
  records: AuditRecord[];
  promise: Promise<void>;
  done: () => void;
  fail: (e: Error) => void;
}

function newBatch(): Batch {
  let done!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  // Marks the promise handled for callers that do not await it; failures still reach onError.
  promise.catch(() => undefined);
  return { records: [], promise, done, fail };
}

/** After a failed append the batch is retried this long after (doubling, up to RETRY_MAX_MS). */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/** Appends all of `data` at the file's end (a short write continues where it stopped). */
function appendAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let off = 0;
    const next = (): void =>
      fdWrite(fd, data, off, data.length - off, null, (e, n) => {
        if (e) return reject(e);
        off += n;
        if (off < data.length) next();
        else resolve();
      });
    next();
  });
}

/**
 * Queues records and appends them in batches on the next event-loop turn, so the request path never
 * waits on disk. A crash (kill -9) can lose the records whose append had not completed: the batch being
 * written and those queued behind it (a few milliseconds of traffic); a torn last line is detected by
 * `ktpack audit verify`. With `durable`, a write resolves only after fdatasync, so nothing acknowledged
 * is lost. A failed append (disk full, I/O error) is undone (the file is cut back to its last whole
 * record), reported through `onError` and retried with backoff, the records kept in memory meanwhile.
 * close() flushes everything.
 */
export class AuditLog {
  /** Records waiting for the next batch (they share one promise). */
  private pending?: Batch;
  /** Batches whose append failed, oldest first, waiting for a retry. */
  private failed: Batch[] = [];
  private retryTimer?: NodeJS.Timeout;
  private retryMs = RETRY_MIN_MS;
  /** Set by a failed append: the retry continues the chain in a fresh segment file. */
  private reopen = false;
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
      // An empty newest segment (a start that failed after opening the log, e.g. port in use) is reused, so
      // failed starts do not leave a trail of empty files.
      if (i === segments.length - 1 && text === '') reuse = segments[i];
      const head = lastRecord(text);
      if (head) {
        this.head = head;
        // A torn last line (crash mid-write) stays as evidence; new records go to a fresh segment.
        if (i === segments.length - 1 && text.endsWith('\n')) reuse = segments[i];
        break;
      }
      // No whole record here (empty, or only a line torn by a crash during its first append): the head is in an
      // earlier segment. Stopping here restarted the chain at record 1, and every later record failed verify.
    }
    // Numbering continues past the newest segment, or past the pruned ones when retention removed them all (a new
    // segment numbered below the anchor's cut would be skipped by verify as already pruned).
    const last = segments[segments.length - 1] ?? (anchor as { pruned_through?: unknown } | undefined)?.pruned_through;
    this.segmentNo = typeof last === 'string' && SEGMENT_RE.test(last) ? Number(SEGMENT_RE.exec(last)![1]) : 0;
    if (reuse && SEGMENT_RE.exec(reuse)![2] === utcDay(this.now())) await this.openSegment(reuse);
    else await this.openSegment();
  }

  private async openSegment(existing?: string): Promise<void> {
    const no = existing ? this.segmentNo : this.segmentNo + 1;
    const day = utcDay(this.now());
    const name = existing ?? `audit-${String(no).padStart(6, '0')}-${day}.jsonl`;
    const path = join(this.options.dir, name);
    // A reused segment was made read-only when it was first opened; its owner may make it writable again (only
    // root could append to it otherwise).
    if (existing && this.options.immutable) await chmod(path, 0o644).catch(() => undefined);
    // Open the new file before letting go of the old one: if this fails, the log still has a handle to retry with.
    const handle = await open(path, 'a');
    let size: number;
    try {
      size = (await handle.stat()).size;
      if (this.options.immutable) await chmod(path, 0o444);
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
    await this.handle?.close().catch(() => undefined);
    this.handle = handle;
    this.segmentNo = no;
    this.segment = name;
    this.segmentDay = existing ? SEGMENT_RE.exec(existing)![2] : day;
    this.segmentBytes = size;
  }

  /**
   * Queues a record. The promise resolves once it is written (flushed to disk when `durable`);
   * callers that are not durable need not await it. Records queued in the same turn share one promise.
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
    const batch = (this.pending ??= newBatch());
    batch.records.push(record);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush().catch((e: Error) => this.options.onError?.(e));
      });
    }
    return batch.promise;
  }

  /** Records accepted but not yet on disk (queued, or waiting for a retry after a failed append). */
  get backlog(): number {
    return (this.pending?.records.length ?? 0) + this.failed.reduce((n, b) => n + b.records.length, 0);
  }

  /** Writes every queued record (retrying earlier failed batches first, in order) and updates the checkpoint. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.handle) return;
    const batches = [...this.failed];
    this.failed = [];
    if (this.pending) batches.push(this.pending);
    this.pending = undefined;
    if (batches.length === 0) return;
    this.writing = this.writeBatches(batches).finally(() => {
      this.writing = undefined;
    });
    await this.writing;
  }

  /** Writes every queued record and a fresh checkpoint now. */
  async sync(): Promise<void> {
    await this.flush();
    await this.checkpointNow();
  }

  private async writeBatches(batches: Batch[]): Promise<void> {
    let appended = false;
    try {
      if (this.reopen || utcDay(this.now()) !== this.segmentDay || this.segmentBytes > (this.options.maxSegmentBytes ?? 64 * 1024 * 1024)) {
        await this.openSegment();
        this.reopen = false;
        await this.prune();
      }
      const segmentStart = this.segmentBytes;
      let text = '';
      let { seq, hash } = this.head;
      for (const batch of batches) {
        for (const record of batch.records) {
          seq++;
          // Same bytes as JSON.stringify({seq, prev, ...record}), without copying the record.
          const body = JSON.stringify(record);
          const line = `{"seq":${seq},"prev":"${hash}"${body.length > 2 ? `,${body.slice(1)}` : '}'}`;
          hash = hashLine(line);
          text += `${line}\n`;
        }
      }
      const data = Buffer.from(text, 'utf8');
      try {
        await appendAll(this.handle!.fd, data);
      } catch (e) {
        // Cut a partial append back so the file ends on a whole record, then let the caller retry.
        await this.handle!.truncate(segmentStart).catch(() => undefined);
        throw e;
      }
      appended = true;
      this.head = { seq, hash };
      this.segmentBytes += data.length;
      if (this.options.durable) await this.handle!.datasync();
      // The checkpoint may only ever name records that are already in the file.
      this.appended = { ...this.head, segment: this.segment };
      for (const batch of batches) this.written += batch.records.length;
      this.retryMs = RETRY_MIN_MS;
      // Durable callers wait for a checkpoint that covers their records; otherwise one follows within the interval.
      if (this.options.durable) await this.checkpointCovering(seq);
      else this.scheduleCheckpoint();
      for (const batch of batches) batch.done();
    } catch (e) {
      // Waiters hear of the failure (durable requests answer 503).
      for (const batch of batches) batch.fail(e as Error);
      if (!appended) {
        // Nothing of these records is in the file: keep them and retry, in order, before newer ones,
        // in a fresh segment (the old file or its descriptor may be what failed).
        this.reopen = true;
        for (const batch of batches) {
          const retry = newBatch();
          retry.records = batch.records;
          this.failed.push(retry);
        }
        this.scheduleRetry();
      }
      throw e;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush().catch((e: Error) => this.options.onError?.(e));
    }, this.retryMs);
    this.retryTimer.unref?.();
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  private appended?: ChainHead & { segment: string };
  private checkpointing?: Promise<void>;
  /** Highest seq named by a checkpoint that is on disk. */
  private checkpointed = 0;
  private checkpointTimer?: NodeJS.Timeout;
  private lastCheckpoint = 0;

  /**
   * Arranges a checkpoint for the appended head within CHECKPOINT_INTERVAL_MS: one small file rename per
   * interval on a busy log, not one per batch.
   */
  private scheduleCheckpoint(): void {
    if (this.checkpointTimer) return;
    const wait = Math.max(0, this.lastCheckpoint + CHECKPOINT_INTERVAL_MS - Date.now());
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = undefined;
      if (!this.appended || this.checkpointed >= this.appended.seq) return;
      // One is being written (a durable or forced one): look again after it.
      if (this.checkpointing) {
        const again = (): void => this.scheduleCheckpoint();
        return void this.checkpointing.then(again, again);
      }
      void this.startCheckpoint().catch((e: Error) => this.options.onError?.(e));
    }, wait);
    this.checkpointTimer.unref?.();
  }

  /** Resolves once a checkpoint naming at least record `seq` is on disk (writing one if needed). */
  private async checkpointCovering(seq: number): Promise<void> {
    while (this.checkpointed < seq) {
      if (this.checkpointing) {
        // Started before our records were appended, or covering them: either way, look again after it.
        await this.checkpointing.catch(() => undefined);
        continue;
      }
      await this.startCheckpoint();
    }
  }

  /** A checkpoint for everything appended so far, now (sync and close). */
  private async checkpointNow(): Promise<void> {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (this.appended) await this.checkpointCovering(this.appended.seq);
  }

  private startCheckpoint(): Promise<void> {
    const head = this.appended!;
    this.lastCheckpoint = Date.now();
    this.checkpointing = this.writeCheckpoint(head)
      .then(() => {
        this.checkpointed = Math.max(this.checkpointed, head.seq);
      })
      .finally(() => {
        this.checkpointing = undefined;
      });
    return this.checkpointing;
  }

  private async writeCheckpoint(head: ChainHead & { segment: string }): Promise<void> {
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
    this.retryTimer = undefined;
    await this.flush();
    await this.checkpointNow();
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
