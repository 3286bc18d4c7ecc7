// `ktpack serve` as a real process: kill -9 under load keeps the audit log verifiable, SIGTERM drains, SIGHUP reloads, startup checks.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditRecords } from '../../src/serve/audit-read.js';
import { startMockUpstream, type MockUpstream } from '../../src/serve/mock-upstream.js';
import { runCli, SEED_PACK, spawnServe } from '../helpers/cli.js';

const KEY = { OPENAI_API_KEY: 'sk-test-process-0123456789' };
const chat = (url: string, content: string, stream = false) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }], stream }) });

describe('ktpack serve process', () => {
  let upstream: MockUpstream;
  let dir: string;
  beforeAll(async () => {
    upstream = await startMockUpstream({ record: false });
    dir = mkdtempSync(join(tmpdir(), 'ktpack-proc-'));
  });
  afterAll(() => upstream.close());

  it('after kill -9 under load the audit log still verifies, and a restart continues the chain', async () => {
    const audit = join(dir, 'audit-kill');
    const gw = await spawnServe([SEED_PACK, '--listen', '127.0.0.1:0', '--mock-upstream', '--audit-dir', audit]);
    let sent = 0;
    let completed = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        sent++;
        const ok = await chat(gw.url, `load ${sent} mail a@b.io`).then((r) => r.text()).then(() => true, () => false);
        if (ok && !stop) completed++;
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    // Kill once enough answers came back, with requests still in flight.
    for (let i = 0; i < 400 && completed < 40; i++) await new Promise((r) => setTimeout(r, 20));
    const answered = completed;
    gw.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await new Promise((r) => gw.proc.exitCode !== null || gw.proc.signalCode !== null ? r(null) : gw.proc.on('exit', r));
    const first = await runCli(['audit', 'verify', audit, '--json']);
    expect(first.code, first.stdout).toBe(0);
    const r1 = JSON.parse(first.stdout) as { records: number };
    expect(answered).toBeGreaterThanOrEqual(40);
    // Records are batched off the request path: a crash may lose the batch being written and the one queued
    // behind it; with 8 clients that is a handful of records, never the log.
    expect(r1.records).toBeGreaterThanOrEqual(answered - 16);
    const again = await spawnServe([SEED_PACK, '--listen', '127.0.0.1:0', '--mock-upstream', '--audit-dir', audit]);
    expect((await chat(again.url, 'after restart')).status).toBe(200);
    expect(await again.stop()).toBe(0);
    const second = JSON.parse((await runCli(['audit', 'verify', audit, '--json'])).stdout) as { ok: boolean; records: number };
    expect(second.ok).toBe(true);
    expect(second.records).toBe(r1.records + 1);
  });

  it('the openai client sending a body far over the limit gets the 413, not a connection reset', async () => {
    // Answering while the client is still sending resets the connection: the SDK raised a connection error (and by
    // default retries the whole body). The gateway now reads the rest and drops it before it answers. A separate
    // process: in one event loop the client finishes writing before the server can answer, hiding the race.
    const gw = await spawnServe([SEED_PACK, '--listen', '127.0.0.1:0', '--mock-upstream', '--audit-dir', join(dir, 'audit-413')]);
    try {
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
      for (const mib of [5, 6, 20, 20]) {
        const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'z'.repeat(mib * 1024 * 1024) }] }).catch((e: unknown) => e);
        expect(err, `${mib} MiB: ${String(err)}`).toBeInstanceOf(APIError);
        expect((err as APIError).status, `${mib} MiB: ${String(err)}`).toBe(413);
        expect((err as APIError).code).toBe('request_too_large');
      }
    } finally {
      expect(await gw.stop()).toBe(0);
    }
  });

  it('SIGTERM drains an in-flight stream to [DONE] and flushes its audit record', async () => {
    const audit = join(dir, 'audit-drain');
    const gw = await spawnServe([SEED_PACK, '--listen', '127.0.0.1:0', '--upstream', upstream.url, '--audit-dir', audit], KEY);
    upstream.script.push({ chunks: ['one ', 'two ', 'three ', 'four ', 'five'], chunkDelayMs: 80 });
    const res = await chat(gw.url, 'slow please', true);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    const exited = gw.stop();
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('data: [DONE]');
    expect(await exited).toBe(0);
    const recs = await readAuditRecords(audit);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ stream: true, status: 200 });
  });

  it('SIGHUP reloads the pack; an invalid pack is rejected and the old one keeps serving', async () => {
    const pack = join(dir, 'reload.yaml');
    const yaml = readFileSync(SEED_PACK, 'utf8');
    writeFileSync(pack, yaml);
    const gw = await spawnServe([pack, '--listen', '127.0.0.1:0', '--mock-upstream', '--audit-dir', join(dir, 'audit-hup')]);
    const version = async () => ((await (await fetch(`${gw.url}/health`)).json()) as { pack: { version: string } }).pack.version;
    const until = async (cond: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 20));
    };
    writeFileSync(pack, yaml.replace('version: 1.0.0', 'version: 1.0.1'));
    gw.proc.kill('SIGHUP');
    await until(async () => (await version()) === '1.0.1');
    expect(await version()).toBe('1.0.1');
    writeFileSync(pack, yaml.replace('threshold: 0.8', 'threshold: high'));
    gw.proc.kill('SIGHUP');
    await until(() => gw.stderr().includes('reload rejected'));
    expect(gw.stderr()).toContain('reload rejected; the previous pack keeps serving');
    expect(await version()).toBe('1.0.1');
    expect(await gw.stop()).toBe(0);
  });

  it('refuses to start when no target has its key, naming the variable and never a value', async () => {
    const r = await runCli(['serve', SEED_PACK, '--listen', '127.0.0.1:0'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OPENAI_API_KEY');
    expect(r.stderr).toContain('is not set');
  });

  it('refuses a gateway key file holding a raw key, and warns when binding 0.0.0.0 without keys', async () => {
    const keys = join(dir, 'keys.txt');
    writeFileSync(keys, '# gateway keys\nkt_gk_oops_raw_key\n');
    const r = await runCli(['serve', SEED_PACK, '--mock-upstream', '--gateway-keys', keys, '--listen', '127.0.0.1:0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('keys.txt:2');
    expect(r.stderr).not.toContain('kt_gk_oops_raw_key');
    const gw = await spawnServe(['--policy-config', SEED_PACK, '--listen', '0.0.0.0:0', '--mock-upstream', '--audit-dir', join(dir, 'audit-open')]);
    expect(gw.stderr()).toContain('without --gateway-keys');
    expect(await gw.stop()).toBe(0);
  });
});
