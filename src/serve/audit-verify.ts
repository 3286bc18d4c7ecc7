// Verifies an audit log directory: hash chain, sequence, checkpoint (truncation) and HMAC signatures.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ANCHOR_FILE, CHECKPOINT_FILE, GENESIS_HASH, hashLine, listSegments, signHead, type ChainHead } from './audit-log.js';

/** The audit directory is missing or unreadable. */
export class AuditDirError extends Error {}

/** Where verification failed. */
export interface VerifyProblem {
  file: string;
  /** 1-based line in `file`, when the problem is a record. */
  line?: number;
  seq?: number;
  message: string;
}

/** Result of {@link verifyAuditDir}. */
export interface VerifyResult {
  ok: boolean;
  records: number;
  segments: number;
  head: ChainHead;
  /** The first bad record or side file; verification stops there. */
  error?: VerifyProblem;
  /** Not fatal: a torn last line after a crash, an unsigned checkpoint, … */
  warnings: VerifyProblem[];
}

interface SideFile {
  seq: number;
  hash: string;
  hmac?: string;
  pruned_through?: string;
}

async function readSide(path: string): Promise<SideFile | undefined | 'invalid'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as SideFile;
    return typeof v.seq === 'number' && typeof v.hash === 'string' ? v : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** Checks every segment of `dir` in order. `hmacKey` checks checkpoint and anchor signatures. */
export async function verifyAuditDir(dir: string, hmacKey?: string): Promise<VerifyResult> {
  await stat(dir).catch(() => {
    throw new AuditDirError(`${dir}: no such audit directory`);
  });
  const segments = await listSegments(dir);
  const warnings: VerifyProblem[] = [];
  let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  let records = 0;
  const fail = (error: VerifyProblem): VerifyResult => ({ ok: false, records, segments: segments.length, head, error, warnings });

  const anchor = await readSide(join(dir, ANCHOR_FILE));
  if (anchor === 'invalid') return fail({ file: ANCHOR_FILE, message: 'anchor file is not valid JSON' });
  if (anchor) {
    if (hmacKey && anchor.hmac !== signHead(hmacKey, 'anchor', anchor, anchor.pruned_through ?? '')) {
      return fail({ file: ANCHOR_FILE, message: 'anchor signature does not match the HMAC key (edited, or signed with another key)' });
    }
    head = { seq: anchor.seq, hash: anchor.hash };
  }
  // An empty or unrelated folder must not verify: deleting the whole log is the simplest tampering.
  if (segments.length === 0 && !anchor && !(await stat(join(dir, CHECKPOINT_FILE)).catch(() => undefined))) {
    return fail({ file: '.', message: 'no audit log here (no segments, no checkpoint); was this the --audit-dir of ktpack serve?' });
  }
  const startSegment = anchor?.pruned_through ?? '';
  for (const name of segments) {
    if (name <= startSegment) continue;
    const text = await readFile(join(dir, name), 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new AuditDirError(`${join(dir, name)}: cannot read the segment (${e.code ?? e.message})`);
    });
    const lines = text.split('\n');
    const torn = lines.pop() ?? '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      let rec: { seq?: unknown; prev?: unknown };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        return fail({ file: name, line: i + 1, message: 'record is not valid JSON (edited or corrupted)' });
      }
      if (rec.prev !== head.hash) {
        return fail({ file: name, line: i + 1, seq: typeof rec.seq === 'number' ? rec.seq : undefined, message: `record's prev hash does not match record ${head.seq} (a record before it was edited, deleted or reordered)` });
      }
      if (rec.seq !== head.seq + 1) {
        return fail({ file: name, line: i + 1, message: `expected record ${head.seq + 1}, found ${String(rec.seq)}` });
      }
      head = { seq: head.seq + 1, hash: hashLine(line) };
      records++;
    }
    if (torn.length > 0) {
      warnings.push({ file: name, line: lines.length + 1, message: 'torn last line (the writer stopped mid-record, e.g. kill -9); records before it are intact' });
    }
  }

  const cp = await readSide(join(dir, CHECKPOINT_FILE));
  if (cp === 'invalid') return fail({ file: CHECKPOINT_FILE, message: 'checkpoint file is not valid JSON' });
  if (!cp) {
    // With a key the writer signs a checkpoint after its first batch: a missing one is how a truncation
    // (cut the tail, delete checkpoint.json) would otherwise pass.
    if (records > 0 && hmacKey) return fail({ file: CHECKPOINT_FILE, message: 'no checkpoint, but a signed log must have one: it was deleted (the tail may have been truncated)' });
    if (records > 0) warnings.push({ file: CHECKPOINT_FILE, message: 'no checkpoint: truncation of the tail cannot be detected' });
  } else {
    if (hmacKey && cp.hmac !== signHead(hmacKey, 'checkpoint', cp)) {
      return fail({ file: CHECKPOINT_FILE, message: 'checkpoint signature does not match the HMAC key (edited, or signed with another key)' });
    }
    if (!hmacKey && cp.hmac) warnings.push({ file: CHECKPOINT_FILE, message: 'checkpoint is signed but no HMAC key was given; signature not checked' });
    if (cp.seq > head.seq) {
      return fail({ file: CHECKPOINT_FILE, seq: cp.seq, message: `log is truncated: checkpoint records ${cp.seq} records, the log has ${head.seq}` });
    }
    if (cp.seq === head.seq && cp.hash !== head.hash) {
      return fail({ file: CHECKPOINT_FILE, seq: cp.seq, message: `last record ${cp.seq} does not match the checkpoint hash (tail edited or replaced)` });
    }
  }
  return { ok: true, records, segments: segments.length, head, warnings };
}
