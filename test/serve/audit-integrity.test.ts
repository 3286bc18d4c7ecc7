// Audit log integrity beyond tampering: a failed append loses nothing and keeps the chain; a signed log without its checkpoint fails verify.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAuditRecords } from '../../src/serve/audit-read.js';
import { AuditLog } from '../../src/serve/audit-log.js';
import { verifyAuditDir } from '../../src/serve/audit-verify.js';
import { runCli } from '../helpers/cli.js';
import { packYaml, startFixture } from './gateway-fixture.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');

describe('audit log write failures', () => {
  // /dev/full fails every write with ENOSPC: the segment the log rotates into is made to point there.
  it.skipIf(!existsSync('/dev/full'))('a failed append (disk full) loses no record and leaves the chain verifiable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-audit-full-'));
    const errors: string[] = [];
    const log = new AuditLog({ dir, now: () => T0, maxSegmentBytes: 10, onError: (e) => errors.push((e as NodeJS.ErrnoException).code ?? e.message) });
    await log.open();
    await log.write({ id: 'r1', time: new Date(T0).toISOString() });
    symlinkSync('/dev/full', join(dir, 'audit-000002-20260302.jsonl'));
    const failed = await Promise.all([log.write({ id: 'r2', time: 't' }), log.write({ id: 'r3', time: 't' })]).then(() => 'written', (e: NodeJS.ErrnoException) => e.code);
    expect(failed).toBe('ENOSPC');
    await log.write({ id: 'r4', time: 't' });
    await log.close();
    rmSync(join(dir, 'audit-000002-20260302.jsonl'));
    expect((await readAuditRecords(dir)).map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
    const r = await verifyAuditDir(dir);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ ok: true, records: 4, head: { seq: 4 } });
    expect(readdirSync(dir).filter((n) => n.startsWith('audit-'))).toHaveLength(2);
  });
});

describe('signed checkpoints', () => {
  it('with the HMAC key, a log whose checkpoint was deleted (after cutting its tail) fails verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-audit-nocp-'));
    const log = new AuditLog({ dir, hmacKey: 'k3y-for-tests' });
    await log.open();
    for (let i = 0; i < 5; i++) void log.write({ id: `r${i}`, time: 't' });
    await log.close();
    expect((await verifyAuditDir(dir, 'k3y-for-tests')).ok).toBe(true);
    rmSync(join(dir, 'checkpoint.json'));
    const r = await verifyAuditDir(dir, 'k3y-for-tests');
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ file: 'checkpoint.json', message: expect.stringMatching(/no checkpoint/) });
    const cli = await runCli(['audit', 'verify', dir, '--hmac-key-env', 'AUDIT_KEY'], { AUDIT_KEY: 'k3y-for-tests' });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('FAIL checkpoint.json');
    // Without the key it cannot know the log was signed: a warning, as before.
    const unsigned = await verifyAuditDir(dir);
    expect(unsigned.ok).toBe(true);
    expect(unsigned.warnings.map((w) => w.message)).toEqual([expect.stringContaining('no checkpoint')]);
  });
});

describe('audit settings through the gateway', () => {
  it('durable and hmac_key_env through the gateway: each record is on disk when its answer (or [DONE]) arrives, the checkpoint is signed', async () => {
    const f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'p', url, env: 'KEY_A' }], chain: ['audit-logger'], policy: '  audit-logger:\n    durable: true\n    hmac_key_env: AUDIT_KEY\n' }), { env: { KEY_A: 'sk-test-aaaaaaaaaaaaaaaa', AUDIT_KEY: 'gw-hmac-key' } });
    try {
      const ask = (stream: boolean) => fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream }) });
      for (const stream of [false, true]) {
        const res = await ask(stream);
        const text = await res.text();
        if (stream) expect(text).toContain('data: [DONE]');
        // Read straight from disk, no flush. (In-process this cannot tell durable from a fast batch; the
        // ordering itself is covered by audit-log.test.ts and the proxy awaiting the write.)
        expect(readFileSync(f.gateway.auditFile, 'utf8')).toContain(String(res.headers.get('x-request-id')));
      }
      const cp = JSON.parse(readFileSync(join(f.dir, 'audit', 'checkpoint.json'), 'utf8')) as { seq: number; hmac?: string };
      expect(cp.seq).toBe(2);
      expect(cp.hmac).toMatch(/^[0-9a-f]{64}$/);
      expect((await verifyAuditDir(join(f.dir, 'audit'), 'gw-hmac-key')).ok).toBe(true);
      expect((await verifyAuditDir(join(f.dir, 'audit'), 'another-key')).ok).toBe(false);
    } finally {
      await f.close();
    }
  });

  it('an unset hmac_key_env is a warning naming the variable, never a value', async () => {
    const f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'p', url, env: 'KEY_A' }], chain: ['audit-logger'], policy: '  audit-logger:\n    hmac_key_env: AUDIT_KEY_UNSET\n' }));
    try {
      expect(f.logs).toContain('warning: audit checkpoints are unsigned: environment variable AUDIT_KEY_UNSET is not set');
    } finally {
      await f.close();
    }
  });
});
