// The hash-chained audit log: tamper detection table, torn lines, restarts, retention with anchors, HMAC, and the audit CLI.
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, listSegments, type AuditLogOptions } from '../../src/serve/audit-log.js';
import { verifyAuditDir } from '../../src/serve/audit-verify.js';
import { runCli } from '../helpers/cli.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-10T12:00:00Z');

async function writeLog(dir: string, count: number, options: Partial<AuditLogOptions> = {}, start = 0): Promise<void> {
  const log = new AuditLog({ dir, immutable: true, ...options });
  await log.open();
  for (let i = 0; i < count; i++) {
    void log.write({ id: `r${start + i}`, time: new Date((options.now ?? (() => T0))()).toISOString(), verdict: i % 3 === 0 ? 'block' : 'allow', tags: { team: i % 2 ? 'blue' : 'red' }, cost: { usd: 0.001, model: 'gpt-4o', inputTokens: 10, outputTokens: 5 } });
  }
  await log.close();
}

function segmentPath(dir: string, i = 0): string {
  const names = readdirSync(dir).filter((n) => n.startsWith('audit-')).sort();
  return join(dir, names[i]);
}

function editLines(dir: string, edit: (lines: string[]) => string[]): void {
  const file = segmentPath(dir);
  chmodSync(file, 0o644);
  const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
  writeFileSync(file, edit(lines).map((l) => `${l}\n`).join(''));
}

const TAMPER: Array<{ name: string; mutate: (dir: string) => void; error: RegExp; line?: number }> = [
  { name: 'an edited record', mutate: (d) => editLines(d, (ls) => ls.map((l, i) => (i === 1 ? l.replace('"allow"', '"block"') : l))), error: /prev hash does not match record 2/, line: 3 },
  { name: 'a deleted record', mutate: (d) => editLines(d, (ls) => ls.filter((_, i) => i !== 2)), error: /prev hash does not match/, line: 3 },
  { name: 'reordered records', mutate: (d) => editLines(d, (ls) => [ls[0], ls[2], ls[1], ...ls.slice(3)]), error: /prev hash does not match/, line: 2 },
  { name: 'a truncated tail (whole records removed)', mutate: (d) => editLines(d, (ls) => ls.slice(0, 4)), error: /truncated: checkpoint records 6 records, the log has 4/ },
  { name: 'an edited last record', mutate: (d) => editLines(d, (ls) => ls.map((l, i) => (i === 5 ? l.replace('"r5"', '"rX"') : l))), error: /does not match the checkpoint hash/ },
  { name: 'a record that is not JSON', mutate: (d) => editLines(d, (ls) => ls.map((l, i) => (i === 3 ? l.slice(0, 20) : l))), error: /not valid JSON/, line: 4 },
  { name: 'a deleted segment', mutate: (d) => rmSync(segmentPath(d)), error: /truncated/ },
];

describe('audit log chain', () => {
  const base = mkdtempSync(join(tmpdir(), 'ktpack-audit-'));
  const pristine = join(base, 'pristine');

  it('verifies a clean log and makes segments read-only when immutable', async () => {
    await writeLog(pristine, 6);
    const r = await verifyAuditDir(pristine);
    expect(r).toMatchObject({ ok: true, records: 6, segments: 1, warnings: [] });
    expect(statSync(segmentPath(pristine)).mode & 0o222).toBe(0);
  });

  for (const c of TAMPER) {
    it(`detects ${c.name}`, async () => {
      const dir = join(base, c.name.replace(/\W+/g, '-'));
      cpSync(pristine, dir, { recursive: true });
      c.mutate(dir);
      const r = await verifyAuditDir(dir);
      expect(r.ok).toBe(false);
      expect(r.error?.message).toMatch(c.error);
      if (c.line !== undefined) expect(r.error?.line).toBe(c.line);
    });
  }

  it('reports a torn last line as a warning, keeps earlier records, and continues the chain after a restart', async () => {
    const dir = join(base, 'torn');
    cpSync(pristine, dir, { recursive: true });
    const file = segmentPath(dir);
    chmodSync(file, 0o644);
    appendFileSync(file, '{"seq":7,"prev":"abc","id":"torn-rec');
    let r = await verifyAuditDir(dir);
    expect(r.ok).toBe(true);
    expect(r.records).toBe(6);
    expect(r.warnings[0].message).toMatch(/torn last line/);
    await writeLog(dir, 2, {}, 100);
    r = await verifyAuditDir(dir);
    expect(r).toMatchObject({ ok: true, records: 8, segments: 2 });
    expect(r.head.seq).toBe(8);
  });

  it('a crash during the first append to a fresh segment (only a torn line in it): the restart continues the chain', async () => {
    const dir = join(base, 'torn-fresh-segment');
    cpSync(pristine, dir, { recursive: true });
    const [first] = await listSegments(dir);
    writeFileSync(join(dir, first.replace(/^audit-\d{6}/, 'audit-000002')), '{"seq":7,"prev":"abc","id":"torn-rec');
    await writeLog(dir, 2, {}, 100);
    const r = await verifyAuditDir(dir);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ ok: true, records: 8, segments: 3 });
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/torn last line/)]);
  });

  it('signs checkpoints with an HMAC key: a re-chained forgery without the key is caught', async () => {
    const dir = join(base, 'hmac');
    await writeLog(dir, 3, { hmacKey: 'k3y-for-tests' });
    expect((await verifyAuditDir(dir, 'k3y-for-tests')).ok).toBe(true);
    expect((await verifyAuditDir(dir, 'wrong-key')).error?.message).toMatch(/signature does not match/);
    // An attacker rewrites the whole log consistently, without the key.
    const forged = join(base, 'forged');
    await writeLog(forged, 3);
    cpSync(join(forged, 'checkpoint.json'), join(dir, 'checkpoint.json'));
    for (const n of await listSegments(dir)) rmSync(join(dir, n), { force: true });
    for (const n of await listSegments(forged)) cpSync(join(forged, n), join(dir, n));
    expect((await verifyAuditDir(dir)).ok).toBe(true);
    expect((await verifyAuditDir(dir, 'k3y-for-tests')).error?.message).toMatch(/signature does not match/);
  });

  it('prunes whole segments past retention_days and anchors the chain across the cut', async () => {
    const dir = join(base, 'retention');
    let now = T0;
    const opts = { retentionDays: 30, now: () => now };
    await writeLog(dir, 3, opts);
    now = T0 + DAY;
    await writeLog(dir, 3, opts, 10);
    expect(await listSegments(dir)).toHaveLength(2);
    now = T0 + 31 * DAY + 1000;
    await writeLog(dir, 2, opts, 20);
    const segments = await listSegments(dir);
    expect(segments).toHaveLength(2);
    expect(segments[0]).toContain('20260111');
    const r = await verifyAuditDir(dir);
    expect(r).toMatchObject({ ok: true, records: 5 });
    expect(r.head.seq).toBe(8);
  });

  it('a restart after every segment expired numbers the new segment after the cut, so verify reads it', async () => {
    const dir = join(base, 'retention-all-expired');
    let now = T0;
    const opts = { retentionDays: 30, now: () => now };
    await writeLog(dir, 3, opts);
    now = T0 + DAY;
    await writeLog(dir, 3, opts, 10);
    now = T0 + 2 * DAY;
    await writeLog(dir, 3, opts, 20);
    expect(await listSegments(dir)).toHaveLength(3);
    // The gateway was down for longer than the retention period: opening prunes all three.
    now = T0 + 60 * DAY;
    await writeLog(dir, 2, opts, 30);
    const segments = await listSegments(dir);
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatch(/^audit-000004-/);
    const r = await verifyAuditDir(dir);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ ok: true, records: 2 });
    expect(r.head.seq).toBe(11);
  });

  it('a start that fails after opening the log leaves no trail of empty segments', async () => {
    const dir = join(base, 'failed-starts');
    for (let i = 0; i < 3; i++) {
      const log = new AuditLog({ dir, immutable: true, now: () => T0 });
      await log.open();
      await log.close();
    }
    expect(readdirSync(dir).filter((n) => n.startsWith('audit-'))).toHaveLength(1);
    await writeLog(dir, 2, { now: () => T0 });
    expect(readdirSync(dir).filter((n) => n.startsWith('audit-'))).toHaveLength(1);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, records: 2, segments: 1 });
  });

  it('resolves durable writes only once the record is in the file', async () => {
    const dir = join(base, 'durable');
    const log = new AuditLog({ dir, durable: true });
    await log.open();
    await log.write({ id: 'd1', time: new Date().toISOString() });
    expect(readFileSync(log.file, 'utf8')).toContain('"d1"');
    await log.close();
  });
});

describe('ktpack audit and ktpack costs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ktpack-audit-cli-'));

  it('verify: exit 0 on a clean log, 1 with the first bad record, 2 on a missing directory', async () => {
    await writeLog(dir, 6);
    const ok = await runCli(['audit', 'verify', dir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK 6 record\(s\) in 1 segment\(s\)/);
    const bad = join(dir, '..', `${dir.split('/').pop()}-bad`);
    cpSync(dir, bad, { recursive: true });
    editLines(bad, (ls) => ls.filter((_, i) => i !== 1));
    const fail = await runCli(['audit', 'verify', bad, '--json']);
    expect(fail.code).toBe(1);
    expect(JSON.parse(fail.stdout).error).toMatchObject({ line: 2, seq: 3 });
    const missing = await runCli(['audit', 'verify', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such audit directory');
  });

  it('tail and query filter by verdict, team and time, printing JSON Lines', async () => {
    const tail = await runCli(['audit', 'tail', dir, '-n', '2']);
    expect(tail.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['r4', 'r5']);
    const blocks = await runCli(['audit', 'query', dir, '--verdict', 'block', '--team', 'red']);
    expect(blocks.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['r0']);
    const none = await runCli(['audit', 'query', dir, '--since', '2099-01-01T00:00:00Z']);
    expect(none.stdout).toBe('');
    const badTime = await runCli(['audit', 'query', dir, '--since', 'yesterday-ish']);
    expect(badTime.code).toBe(2);
    // A misspelt verdict is a usage error, not a filter that silently matches nothing.
    for (const args of [['audit', 'query', dir, '--verdict', 'blok'], ['audit', 'tail', dir, '--verdict', 'block,alow'], ['costs', dir, '--verdict', 'BLOCK']]) {
      const bad = await runCli(args);
      expect([bad.code, bad.stdout], args.join(' ')).toEqual([2, '']);
      expect(bad.stderr).toMatch(/--verdict: unknown verdict "(blok|alow|BLOCK)"; use one or more of allow, redact, block, error/);
    }
  });

  it('tail reads back from the newest segment and stops once it has enough; query --limit stops early', async () => {
    const many = mkdtempSync(join(tmpdir(), 'ktpack-audit-many-'));
    let now = T0;
    for (let d = 0; d < 3; d++) {
      now = T0 + d * DAY;
      await writeLog(many, 4, { now: () => now }, d * 10);
    }
    expect(await listSegments(many)).toHaveLength(3);
    // A year of log need not fit in memory: the oldest segment is not even read (here it cannot be).
    const [oldest] = await listSegments(many);
    rmSync(join(many, oldest));
    mkdirSync(join(many, oldest));
    const tail = await runCli(['audit', 'tail', many, '-n', '3']);
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['r21', 'r22', 'r23']);
    const spanning = await runCli(['audit', 'tail', many, '-n', '4', '--team', 'red']);
    expect(spanning.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['r10', 'r12', 'r20', 'r22']);
    // Commands that must read it say which file they could not read (exit 2, no stack).
    for (const args of [['audit', 'query', many], ['audit', 'verify', many], ['costs', many]]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`${oldest}: cannot read the segment (EISDIR)`);
    }
    rmSync(join(many, oldest), { recursive: true });
    const limited = await runCli(['audit', 'query', many, '--limit', '2', '--verdict', 'allow']);
    expect(limited.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['r11', 'r12']);
    expect((await runCli(['audit', 'tail', many, '-n', '0'])).stdout).toBe('');
  });

  it('costs sums by team from the audit log', async () => {
    const r = await runCli(['costs', dir, '--by', 'team', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: Array<{ key: { team: string }; requests: number; usd: number }>; total: { usd: number } };
    expect(out.rows.map((x) => [x.key.team, x.requests, x.usd])).toEqual([
      ['blue', 3, 0.003],
      ['red', 3, 0.003],
    ]);
    expect(out.total.usd).toBe(0.006);
    expect((await runCli(['costs', dir, '--by', 'planet'])).code).toBe(2);
  });

  it('costs counts requests of unknown cost apart and says so in the table and its total, never as zero', async () => {
    const mixed = mkdtempSync(join(tmpdir(), 'ktpack-audit-unknown-'));
    const log = new AuditLog({ dir: mixed });
    await log.open();
    void log.write({ id: 'p1', time: new Date(T0).toISOString(), tags: { team: 'red' }, cost: { usd: 0.002, model: 'gpt-4o', inputTokens: 10, outputTokens: 5 } });
    void log.write({ id: 'u1', time: new Date(T0).toISOString(), tags: { team: 'red' }, cost: { usd: null, model: 'my-finetune', inputTokens: 7, outputTokens: 1 } });
    void log.write({ id: 'u2', time: new Date(T0).toISOString(), tags: { team: 'blue' }, cost: { usd: null, model: 'my-finetune' } });
    await log.close();
    const json = JSON.parse((await runCli(['costs', mixed, '--by', 'team', '--json'])).stdout) as { rows: Array<{ key: { team: string }; usd: number; unknown_cost: number }>; total: { usd: number; unknown_cost: number } };
    expect(json.rows.map((x) => [x.key.team, x.usd, x.unknown_cost])).toEqual([['red', 0.002, 1], ['blue', 0, 1]]);
    expect(json.total).toMatchObject({ usd: 0.002, unknown_cost: 2 });
    const table = (await runCli(['costs', mixed, '--by', 'team'])).stdout.split('\n');
    expect(table.find((l) => l.startsWith('blue'))).toMatch(/0\.000000 \(\+1 of unknown cost\)$/);
    expect(table.find((l) => l.startsWith('total'))).toMatch(/0\.002000 \(\+2 of unknown cost\)$/);
  });
});

describe('audit log writes', () => {
  const base = mkdtempSync(join(tmpdir(), 'ktpack-audit-writes-'));

  it('writes each line as JSON.stringify({seq, prev, ...record}) would, so verify re-hashes the same bytes', async () => {
    const dir = join(base, 'format');
    const record = { id: 'f1', time: '2026-01-10T12:00:00.000Z', nested: { a: [1, 'two', null], u: undefined }, text: 'quote " and \\ and \u2028' };
    const log = new AuditLog({ dir });
    await log.open();
    await log.write(record);
    await log.close();
    const [line] = readFileSync(log.file, 'utf8').split('\n');
    expect(line).toBe(JSON.stringify({ seq: 1, prev: '0'.repeat(64), ...record }));
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, records: 1 });
  });

  it('refreshes checkpoint.json at most about once per interval under a steady stream of batches, and names the head on close', async () => {
    const dir = join(base, 'checkpoints');
    const log = new AuditLog({ dir });
    await log.open();
    let renames = 0;
    const started = Date.now();
    let last = '';
    // 300 one-record batches, each waited for: a checkpoint per batch would show up as ~300 distinct files.
    for (let i = 0; i < 300; i++) {
      await log.write({ id: `c${i}`, time: new Date().toISOString() });
      const cp = readFileSync(join(dir, 'checkpoint.json'), { encoding: 'utf8', flag: 'a+' });
      if (cp && cp !== last) {
        renames++;
        last = cp;
      }
    }
    const elapsed = Date.now() - started;
    await log.close();
    // Allow generous slack for a slow machine: never more than one refresh per 100 ms interval, plus two.
    expect(renames).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).seq).toBe(300);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, records: 300, warnings: [] });
  });

  it.skipIf(!existsSync('/dev/full'))('keeps records whose append failed (disk full), retries them into a fresh segment, and loses none', async () => {
    const dir = join(base, 'full');
    mkdirSync(dir, { recursive: true });
    // The first segment is /dev/full: every write to it fails with ENOSPC, as on a full disk.
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    symlinkSync('/dev/full', join(dir, `audit-000001-${day}.jsonl`));
    const errors: string[] = [];
    const log = new AuditLog({ dir, onError: (e) => errors.push((e as NodeJS.ErrnoException).code ?? e.message) });
    // open() would read the newest segment, and /dev/full reads as endless zeros: start the log on it directly.
    await (log as unknown as { openSegment(): Promise<void> }).openSegment();
    const first = log.write({ id: 'a1', time: new Date().toISOString() });
    void log.write({ id: 'a2', time: new Date().toISOString() });
    await expect(first).rejects.toThrow(/ENOSPC|no space/i);
    expect(log.backlog).toBe(2);
    await log.write({ id: 'a3', time: new Date().toISOString() }).catch(() => undefined);
    // The retry (after ~100 ms) writes the kept records, in order, to audit-000002.
    for (let i = 0; i < 50 && log.backlog > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(log.backlog).toBe(0);
    await log.close();
    expect(errors[0]).toBe('ENOSPC');
    rmSync(join(dir, `audit-000001-${day}.jsonl`));
    const lines = readFileSync(join(dir, `audit-000002-${day}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((r) => [r.seq, r.id])).toEqual([[1, 'a1'], [2, 'a2'], [3, 'a3']]);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, records: 3 });
  });
});
