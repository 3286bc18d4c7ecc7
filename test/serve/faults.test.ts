// Fault tests against misbehaving upstreams and clients: connect timeouts, disconnects reaching the upstream, slow bodies, key echoes, missing keys.
import { spawn } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import OpenAI, { APIError, RateLimitError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { auditRecords, packYaml, startFixture, type Fixture } from './gateway-fixture.js';

const chatBody = (content: string, stream = false) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }], stream });

/** Resolves when `res` closes, telling whether it closed before the answer was complete (the gateway hung up). */
function watchClose(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
}

/** Resolves with the value, or with `fallback` after `ms` (a hang guard, never an assertion on time). */
function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([p, new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref())]);
}

/** A never-ending OpenAI stream: role chunk, then one content chunk every `everyMs` until the gateway hangs up. */
function endless(res: ServerResponse, everyMs = 20): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = { id: 'chatcmpl-endless', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
  res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] })}\n\n`);
  const t = setInterval(() => res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'and on and on ' }, logprobs: null, finish_reason: null }] })}\n\n`), everyMs);
  res.on('close', () => clearInterval(t));
}

describe('faults', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('an upstream 200 whose JSON is not an object (null, an array) is a 502 with its audit record, not an internal error', async () => {
    f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'primary', url, env: 'KEY_A' }], chain: ['pii-detector', 'audit-logger'], policy: '  pii-detector:\n    action: redact\n    entities: [EMAIL]\n' }));
    for (const body of ['null', '[1,2]', '"text"']) {
      f.upstreams[0].script.push({ reply: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body) });
      const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody('hi') });
      expect(res.status, body).toBe(502);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_upstream_response');
      const recs = await auditRecords(f, 1);
      expect(recs.find((r) => r.id === res.headers.get('x-request-id')), body).toMatchObject({ status: 502, error: 'bad_upstream_response' });
    }
  });

  it('a connect timeout falls back to the next target and is recorded as a timeout attempt', async () => {
    // A listener with a backlog of 1 whose process never accepts: once its queue is full, connects hang in SYN.
    const hole = spawn(process.execPath, ['-e', `const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{console.log(s.address().port);setTimeout(()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,15000),20)})`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const fill: Socket[] = [];
    try {
      const port = Number(await new Promise<string>((r) => hole.stdout!.once('data', (d) => r(String(d).trim()))));
      await new Promise((r) => setTimeout(r, 100));
      // Fill the accept queue; the third connect would hang.
      for (let i = 0; i < 2; i++) fill.push(await new Promise<Socket>((r) => { const s = connect(port, '127.0.0.1', () => r(s)); }));
      f = await startFixture(2, ([, b]) =>
        packYaml({ targets: [
          { id: 'blackhole', url: `http://127.0.0.1:${port}/v1`, env: 'KEY_A', extra: '      timeouts:\n        connect_ms: 300\n        first_byte_ms: 10000\n        total_ms: 20000\n' },
          { id: 'secondary', url: b, env: 'KEY_B' },
        ], chain: ['audit-logger'] }),
      );
      const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(r.choices[0].message.content).toContain('hi');
      const [rec] = (await auditRecords(f, 1)) as Array<{ attempts: Array<{ target: string; error?: string; trigger?: string; status?: number }> }>;
      expect(rec.attempts.map((a) => [a.target, a.trigger ?? null, a.status ?? null])).toEqual([['blackhole', 'timeout', null], ['secondary', null, 200]]);
      expect(rec.attempts[0].error).toMatch(/^timeout:.*CONNECT/i);
    } finally {
      for (const s of fill) s.destroy();
      hole.kill('SIGKILL');
    }
  });

  it('the total timeout falls back when an upstream trickles bytes but never a usable answer (JSON and stream)', async () => {
    const t = '      timeouts:\n        first_byte_ms: 5000\n        total_ms: 600\n';
    f = await startFixture(2, ([a, b]) => packYaml({ targets: [{ id: 'trickle', url: a, env: 'KEY_A', extra: t }, { id: 'secondary', url: b, env: 'KEY_B' }], chain: ['audit-logger'] }));
    // Each write comes well inside first_byte_ms (also the idle timeout), so only total_ms can end it.
    const trickle = (stream: boolean) => ({
      reply: (_req: unknown, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
        const t = setInterval(() => res.write(stream ? ': keep-alive\n\n' : ' '), 50);
        res.on('close', () => clearInterval(t));
      },
    });
    f.upstreams[0].script.push(trickle(false), trickle(true));
    const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    expect((await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'json' }] })).choices[0].message.content).toContain('json');
    let text = '';
    for await (const c of await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'stream' }], stream: true })) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toContain('stream');
    const recs = (await auditRecords(f, 2)) as Array<{ attempts: Array<{ target: string; error?: string; trigger?: string }> }>;
    for (const r of recs) expect(r.attempts.map((a) => [a.target, a.error ?? null, a.trigger ?? null])).toEqual([['trickle', 'timeout:total_timeout', 'timeout'], ['secondary', null, null]]);
  });

  it('a slow upstream that answers within its timeouts is waited for, not failed over', async () => {
    const t = '      timeouts:\n        first_byte_ms: 5000\n        total_ms: 10000\n';
    f = await startFixture(2, ([a, b]) => packYaml({ targets: [{ id: 'primary', url: a, env: 'KEY_A', extra: t }, { id: 'secondary', url: b, env: 'KEY_B' }], chain: ['audit-logger'] }));
    f.upstreams[0].script.push({ delayMs: 700 }, { text: 'late but fine' });
    const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    expect((await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).choices[0].message.content).toBe('late but fine');
    f.upstreams[0].script.push({ delayMs: 300 }, { chunks: ['slow ', 'but ', 'steady'], chunkDelayMs: 150 });
    let text = '';
    for await (const c of await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true })) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe('slow but steady');
    const recs = (await auditRecords(f, 2)) as Array<{ attempts: Array<{ target: string }> }>;
    expect(recs.map((r) => r.attempts.map((a) => a.target))).toEqual([['primary'], ['primary']]);
    expect(f.upstreams[1].requests).toHaveLength(0);
  });

  it('a client that leaves mid-stream (after bytes reached it) aborts the upstream request', async () => {
    f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'p', url, env: 'KEY_A' }], chain: ['audit-logger'] }));
    let closed!: Promise<boolean>;
    f.upstreams[0].script.push({ reply: (_req, res) => { closed = watchClose(res); endless(res); } });
    const ac = new AbortController();
    const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody('hi', true), signal: ac.signal });
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes('and on')) seen += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    expect(await within(closed, 10_000, false)).toBe(true);
    const [rec] = await auditRecords(f, 1);
    expect(rec).toMatchObject({ verdict: 'error', client_disconnected: true, stream: true });
  });

  it('a client that leaves while the hold-back window still holds every byte aborts the upstream request', async () => {
    f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'p', url, env: 'KEY_A' }], chain: ['pii-detector', 'audit-logger'], policy: '  pii-detector:\n    action: redact\n    entities: [EMAIL]\n' }));
    let closed!: Promise<boolean>;
    let started!: () => void;
    const upstreamStarted = new Promise<void>((r) => (started = r));
    f.upstreams[0].script.push({
      reply: (_req, res) => {
        closed = watchClose(res);
        // Role chunk only, then silence: nothing client-visible, the gateway is still before its first byte.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] })}\n\n`);
        started();
      },
    });
    const ac = new AbortController();
    const pending = fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody('hi', true), signal: ac.signal }).catch(() => 'aborted');
    await within(upstreamStarted, 10_000, undefined);
    ac.abort();
    expect(await pending).toBe('aborted');
    expect(await within(closed, 10_000, false)).toBe(true);
    const [rec] = await auditRecords(f, 1);
    // Recorded as the client leaving (499), not as an upstream failure: the upstream answered 200.
    expect(rec).toMatchObject({ verdict: 'error', client_disconnected: true, error: 'client_disconnected', status: 499 });
    expect(JSON.stringify(rec.attempts)).not.toMatch(/connection_error/);
    expect(f.upstreams[0].requests).toHaveLength(1);
  });

  it('a client that leaves while the gateway waits out a retry-after never reaches the upstream', async () => {
    f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'only', url, env: 'KEY_A' }], chain: ['audit-logger'] }));
    const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    f.upstreams[0].script.push({ status: 429, retryAfter: 2, error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } });
    expect(await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)).toBeInstanceOf(RateLimitError);
    const ac = new AbortController();
    const pending = fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody('later'), signal: ac.signal }).catch(() => 'aborted');
    // The gateway holds the request (the target cools down for 2 s); leave as soon as it has it.
    for (let i = 0; i < 200 && f.gateway.core.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    expect(await pending).toBe('aborted');
    const recs = await auditRecords(f, 2);
    expect(recs[1]).toMatchObject({ verdict: 'error', client_disconnected: true });
    expect(f.upstreams[0].requests).toHaveLength(1);
  });

  it('a client that sends its headers but not its whole body gets an OpenAI-shaped 408', async () => {
    f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'p', url, env: 'KEY_A' }], chain: ['audit-logger'] }), { headersTimeoutMs: 300, requestTimeoutMs: 400 });
    const { port } = new URL(f.gateway.url);
    const reply = await within(
      new Promise<string>((resolve) => {
        const s = connect(Number(port), '127.0.0.1', () => s.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"model":'));
        let out = '';
        s.on('data', (d) => (out += d));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      }),
      10_000,
      'no answer',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'request_timeout' });
    expect(reply).toMatch(/x-request-id: ktp_[0-9a-f]{32}/i);
  });

  it('an upstream error body echoing the key the gateway sent is passed on without it, even when it looks like no known key format', async () => {
    const secret = 'corp-gw-7f3a9c21e4b8d6f0';
    f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'p', url, env: 'CORP_KEY' }], chain: ['audit-logger'] }), { env: { CORP_KEY: secret } });
    f.upstreams[0].script.push({ status: 401, error: { message: `Invalid credentials: ${secret} is not a valid key for this deployment.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
    const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const err = (await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as APIError;
    expect(f.upstreams[0].requests[0].headers.authorization).toBe(`Bearer ${secret}`);
    expect(err.status).toBe(401);
    expect(err.code).toBe('invalid_api_key');
    expect(err.message).toContain('Invalid credentials');
    expect(err.message).not.toContain(secret);
  });

  it('an upstream error naming other credentials (GitHub, Slack, JWT) is passed on without them', async () => {
    f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'p', url, env: 'KEY_A' }], chain: ['audit-logger'] }));
    const creds = ['ghp_R4nd0mT0k3nW1thEnTr0pyXy9Zq8Wv7Ut6Sr5', 'xoxb-2847593021-4958372619-Qm8RtYp3LkW9sNvB2xJc7HdF', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQ4MjkiLCJpYXQiOjE3MDAwMDAwMDB9.Xk3pQ9vR2mT8wL5nB7cY1zA4sD6fG0hJ'];
    f.upstreams[0].script.push({ status: 400, error: { message: `Proxy rejected the request: forwarded credentials ${creds.join(', ')} are not allowed here.`, type: 'invalid_request_error', code: null } });
    const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const err = (await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as APIError;
    expect(err.status).toBe(400);
    expect(err.message).toContain('Proxy rejected the request');
    for (const c of creds) expect(err.message).not.toContain(c.slice(8, 24));
  });

  it('a key variable ending in a newline (a mounted secret file) is trimmed with a warning; a blank one counts as unset', async () => {
    f = await startFixture(2, ([a, b]) => packYaml({ targets: [{ id: 'blank', url: a, env: 'KEY_BLANK' }, { id: 'mounted', url: b, env: 'KEY_NL' }], chain: ['audit-logger'] }), { env: { KEY_BLANK: '  ', KEY_NL: 'sk-test-mounted-0123456789\n' } });
    expect(f.logs.filter((l) => l.startsWith('warning:'))).toEqual([
      'warning: target blank is unavailable: environment variable KEY_BLANK is not set',
      'warning: environment variable KEY_NL has leading or trailing whitespace; it is trimmed',
    ]);
    const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toContain('hi');
    expect(f.upstreams[0].requests).toHaveLength(0);
    expect(f.upstreams[1].requests[0].headers.authorization).toBe('Bearer sk-test-mounted-0123456789');
  });

  it('a target whose key variable is unset is skipped with a warning naming the variable; the others serve', async () => {
    f = await startFixture(2, ([a, b]) => packYaml({ targets: [{ id: 'primary', url: a, env: 'KEY_MISSING' }, { id: 'secondary', url: b, env: 'KEY_B' }], chain: ['audit-logger'] }), { env: { KEY_B: 'sk-test-bbbbbbbbbbbbbbbb' } });
    expect(f.logs.filter((l) => l.startsWith('warning:'))).toEqual(['warning: target primary is unavailable: environment variable KEY_MISSING is not set']);
    const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toContain('hi');
    expect(f.upstreams[0].requests).toHaveLength(0);
    expect(f.upstreams[1].requests[0].headers.authorization).toBe('Bearer sk-test-bbbbbbbbbbbbbbbb');
    const cfg = (await (await fetch(`${f.gateway.url}/ktpack/config`)).json()) as { targets: Array<{ id: string; available: boolean; key_present: boolean }> };
    expect(cfg.targets.map((t) => [t.id, t.available, t.key_present])).toEqual([['primary', false, false], ['secondary', true, true]]);
    const health = (await (await fetch(`${f.gateway.url}/health`)).json()) as { status: string; targets: Record<string, string> };
    expect(health).toMatchObject({ status: 'healthy', targets: { primary: 'unavailable', secondary: 'configured' } });
    expect(f.logs.join('\n')).not.toContain('sk-test-bbbb');
  });
});
