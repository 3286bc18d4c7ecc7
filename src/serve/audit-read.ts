// Reads audit records back (tail, query, costs) with filters on verdict, policy, team and time.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listSegments } from './audit-log.js';

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
  for (const name of await listSegments(dir)) {
    const lines = (await readFile(join(dir, name), 'utf8')).split('\n');
    lines.pop();
    for (const line of lines) {
      let rec: StoredRecord;
      try {
        rec = JSON.parse(line) as StoredRecord;
      } catch {
        continue;
      }
      if (matches(rec, filter)) out.push(rec);
    }
  }
  return out;
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
