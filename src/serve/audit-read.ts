// Reads audit records back (tail, query, costs) with filters on verdict, policy, team and time.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listSegments } from './audit-log.js';
import { AuditDirError } from './audit-verify.js';

/** A record as read back. */
export type StoredRecord = Record<string, unknown> & { id?: string; time?: string; verdict?: string };

/** Filters of {@link readAuditRecords}. */
export interface AuditFilter {
  verdict?: string[];
  /** Records in which this policy did something other than allow. */
  policy?: string;
  team?: string;
  project?: string;
  since?: number;
  until?: number;
}

/** Every complete record of `dir`, oldest first, that matches `filter` (a torn last line is skipped). */
export async function readAuditRecords(dir: string, filter: AuditFilter = {}): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const rec of auditRecords(dir, filter)) out.push(rec);
  return out;
}

/**
 * The matching records of `dir` one at a time, oldest first (newest first with `newestFirst`), one segment in memory
 * at a time: a year of audit log does not have to fit in memory, and `tail` reads only the newest segments.
 */
export async function* auditRecords(dir: string, filter: AuditFilter = {}, newestFirst = false): AsyncGenerator<StoredRecord> {
  const segments = await listSegments(dir);
  if (newestFirst) segments.reverse();
  for (const name of segments) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (e) {
      throw new AuditDirError(`${join(dir, name)}: cannot read the segment (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const lines = text.split('\n');
    // Without a final newline the last piece is a torn line (or empty).
    lines.pop();
    if (newestFirst) lines.reverse();
    for (const line of lines) {
      let rec: StoredRecord;
      try {
        rec = JSON.parse(line) as StoredRecord;
      } catch {
        continue;
      }
      if (matches(rec, filter)) yield rec;
    }
  }
}

function matches(rec: StoredRecord, f: AuditFilter): boolean {
  if (f.verdict?.length && !f.verdict.includes(String(rec.verdict))) return false;
  const tags = (rec.tags ?? {}) as Record<string, unknown>;
  if (f.team !== undefined && tags.team !== f.team) return false;
  if (f.project !== undefined && tags.project !== f.project) return false;
  if (f.policy !== undefined) {
    const policies = Array.isArray(rec.policies) ? (rec.policies as Array<{ policy?: string; outcome?: string }>) : [];
    if (!policies.some((p) => p.policy === f.policy && p.outcome !== 'allow')) return false;
  }
  if (f.since !== undefined || f.until !== undefined) {
    const t = Date.parse(String(rec.time));
    if (!Number.isFinite(t)) return false;
    if (f.since !== undefined && t < f.since) return false;
    if (f.until !== undefined && t > f.until) return false;
  }
  return true;
}

/** Parses `30m`, `24h`, `7d` (relative to `now`) or an ISO time into epoch ms; undefined when invalid. */
export function parseTime(value: string, now = Date.now()): number | undefined {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(value.trim());
  if (m) return now - Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[m[2] as 's']!;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}
