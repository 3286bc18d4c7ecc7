// `ktpack serve` as a real process under load: SIGTERM drains and records every request, an expired drain still records, kill -9 leaves a verifiable log.
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditRecords } from '../../src/serve/audit-read.js';
import { listSegments } from '../../src/serve/audit-log.js';
import { startMockUpstream, type MockUpstream } from '../../src/serve/mock-upstream.js';
import { BIN, SEED_PACK, spawnServe } from '../helpers/cli.js';

const KEY = { OPENAI_API_KEY: 'sk-test-lifecycle-0123456789' };

/** Runs the real CLI binary (not in-process), as an operator would after a crash. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls `cond` a bounded number of times. */
async function until(cond: () => boolean, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

/** Answers like api.openai.com (JSON, or SSE with usage when asked), once `gate` opens. */
function heldReply(gate: Promise<void>) {
  return (_req: unknown, res: ServerResponse, body: unknown) => {
    const b = body as { stream?: boolean; stream_options?: { include_usage?: boolean } };
    const usage = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };
    void gate.then(() => {
      if (!b.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'chatcmpl-h', object: 'chat.completion', created: 1, model: 'gpt-4o-2024-08-06', choices: [{ index: 0, message: { role: 'assistant', content: 'held answer', refusal: null }, logprobs: null, finish_reason: 'stop' }], usage }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'chatcmpl-h', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-2024-08-06' };
      for (const delta of [{ role: 'assistant', content: '' }, { content: 'held ' }, { content: 'answer' }]) res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] })}\n\n`);
      if (b.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  };
}

const post = (url: string, content: string, stream: boolean) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-team-id': 'drain' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }], stream }) });

describe('ktpack serve lifecycle under load', () => {
  let upstream: MockUpstream;
  let dir: string;
  beforeAll(async () => {
    upstream = await startMockUpstream();
    dir = mkdtempSync(join(tmpdir(), 'ktpack-life-'));
  });
  afterAll(() => upstream.close());

  it('SIGTERM with 24 requests in flight: every one is answered in full and has exactly one audit record', async () => {
    const audit = join(dir, 'audit-drain');
    const gw = await spawnServe([SEED_PACK, '--listen', '127.0.0.1:0', '--upstream', upstream.url, '--audit-dir', audit], KEY);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const N = 24;
    const before = upstream.requests.length;
    for (let i = 0; i < N; i++) upstream.script.push({ reply: heldReply(gate) });
    const answers = Array.from({ length: N }, async (_, i) => {
      const res = await post(gw.url, `request ${i} from jane@example.com`, i % 2 === 1);
      return { status: res.status, id: res.headers.get('x-request-id'), text: await res.text(), stream: i % 2 === 1 };
    });
    try {
      // Every request has reached the upstream (so all are in flight) before the signal.
      await until(() => upstream.requests.length - before === N);
      expect(upstream.requests.length - before).toBe(N);
      gw.proc.kill('SIGTERM');
      await until(() => gw.stderr().includes('shutting down'));
      expect(gw.stderr()).toContain('shutting down');
      // The same signal again (npm/npx and terminals often deliver one Ctrl-C twice) must not cut the drain short.
      gw.proc.kill('SIGTERM');
      await until(() => gw.stderr().includes('already shutting down'));
      expect(gw.stderr()).toContain('already shutting down');
    } finally {
      open();
    }
    const done = await Promise.all(answers);
    // Wait for the exit the signal started (gw.stop() would signal again).
    const code = await new Promise((r) => (gw.proc.exitCode !== null ? r(gw.proc.exitCode) : gw.proc.once('exit', r)));
    expect(code).toBe(0);
    for (const a of done) {
      expect(a.status).toBe(200);
      if (a.stream) expect(a.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      else expect(JSON.parse(a.text).choices[0].message.content).toBe('held answer');
    }
    const records = await readAuditRecords(audit);
    expect(records.map((r) => r.id).sort()).toEqual(done.map((a) => a.id).sort());
    expect(records.every((r) => r.verdict === 'redact' && r.status === 200)).toBe(true);
    const verify = await cli(['audit', 'verify', audit, '--json']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, records: N, warnings: [] });
    const costs = JSON.parse((await cli(['costs', audit, '--by', 'team', '--json'])).stdout) as { rows: Array<{ key: { team: string }; requests: number; input_tokens: number; output_tokens: number; usd: number }> };
    expect(costs.rows).toEqual([{ key: { team: 'drain' }, requests: N, input_tokens: 9 * N, output_tokens: 3 * N, usd: expect.any(Number), unknown_cost: 0 }]);
    expect(costs.rows[0].usd).toBeCloseTo(N * (9 * 2.5 + 3 * 10) / 1e6, 9);
  });

  it('when the drain timeout expires, the requests it cuts off are still recorded', async () => {
    const audit = join(dir, 'audit-cut');
    const gw = await spawnServe([SEED_PACK, '--listen', '127.0.0.1:0', '--upstream', upstream.url, '--audit-dir', audit, '--drain-timeout', '0.3'], KEY);
    const before = upstream.requests.length;
    // A stream that never ends, and a request the upstream never answers.
    upstream.script.push({ fault: 'never-ending', chunkDelayMs: 20 }, { fault: 'hang' });
    const streamed = post(gw.url, 'a stream that never ends', true).then(async (r) => ({ id: r.headers.get('x-request-id'), text: await r.text().catch(() => 'cut') }), () => ({ id: null, text: 'cut' }));
    await until(() => upstream.requests.length - before === 1);
    const hung = post(gw.url, 'an answer that never comes', false).then((r) => r.headers.get('x-request-id'), () => 'cut');
    await until(() => upstream.requests.length - before === 2);
    expect(upstream.requests.length - before).toBe(2);
    expect(await gw.stop()).toBe(0);
    const s = await streamed;
    await hung;
    expect(s.text).not.toContain('[DONE]');
    const records = await readAuditRecords(audit);
    expect(records).toHaveLength(2);
    if (s.id) expect(records.map((r) => r.id)).toContain(s.id);
    expect(records.every((r) => r.client_disconnected === true)).toBe(true);
    expect((await cli(['audit', 'verify', audit])).code).toBe(0);
  });

  it('kill -9 under load, then a torn last line: audit verify reports it, earlier records verify, a restart continues the chain', async () => {
    const audit = join(dir, 'audit-kill');
    const gw = await spawnServe([SEED_PACK, '--listen', '127.0.0.1:0', '--mock-upstream', '--audit-dir', audit]);
    const ids = new Set<string>();
    let answered = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; i < 400 && !stop; i++) {
        const ok = await post(gw.url, `load ${w}.${i} mail a@b.io`, i % 3 === 0).then(
          async (res) => {
            ids.add(res.headers.get('x-request-id') ?? '');
            const text = await res.text().catch(() => '');
            return res.ok && (i % 3 !== 0 || text.includes('[DONE]'));
          },
          () => false,
        );
        if (ok && !stop) answered++;
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    await until(() => answered >= 60, 1000);
    gw.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await new Promise((r) => (gw.proc.exitCode !== null || gw.proc.signalCode !== null ? r(null) : gw.proc.once('exit', r)));
    expect(answered).toBeGreaterThanOrEqual(60);
    const killed = await readAuditRecords(audit);
    // Nothing invented, little lost: at most the batch being written and the ones queued behind it.
    expect(killed.every((r) => ids.has(String(r.id)))).toBe(true);
    expect(killed.length).toBeGreaterThanOrEqual(answered - 12);
    // kill -9 seldom lands inside a write; leave the tail the way an interrupted append does.
    const segments = await listSegments(audit);
    const last = join(audit, segments[segments.length - 1]);
    chmodSync(last, 0o644);
    appendFileSync(last, '{"seq":999999,"prev":"00ab","id":"ktp_torn","time":"2026-');
    chmodSync(last, 0o444);
    const first = await cli(['audit', 'verify', audit]);
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`warning: ${segments[segments.length - 1]}:\\d+: torn last line`));
    expect(first.stdout).toContain(`OK ${killed.length} record(s)`);
    const again = await spawnServe([SEED_PACK, '--listen', '127.0.0.1:0', '--mock-upstream', '--audit-dir', audit]);
    expect((await post(again.url, 'after restart', false)).status).toBe(200);
    expect(await again.stop()).toBe(0);
    const second = JSON.parse((await cli(['audit', 'verify', audit, '--json'])).stdout) as { ok: boolean; records: number; segments: number; warnings: Array<{ message: string }> };
    expect(second).toMatchObject({ ok: true, records: killed.length + 1, segments: segments.length + 1 });
    expect(second.warnings.map((w) => w.message)).toEqual([expect.stringContaining('torn last line')]);
  });
});
