// Upstream fallback against misbehaving fake upstreams: triggers, attempts, retry-after, timeouts, keys and error scrubbing.
import { createServer } from 'node:net';
import OpenAI, { APIError, RateLimitError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../src/serve/mock-upstream.js';
import { auditRecords, packYaml, startFixture, type Fixture } from './gateway-fixture.js';

/** A loopback port with nothing listening. */
async function closedPortUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}/v1`;
}

const FAST = '      timeouts:\n        connect_ms: 500\n        first_byte_ms: 300\n        total_ms: 2000\n';

interface Case {
  name: string;
  /** Scripted replies of the primary and the secondary. */
  primary: ScriptedReply[];
  secondary?: ScriptedReply[];
  primaryDown?: boolean;
  fallback?: string;
  stream?: boolean;
  /** Policy chain (default: audit-logger only). */
  chain?: string;
  /** The stream is expected to end with an error event instead of [DONE]. */
  midStreamError?: boolean;
  /** Expected HTTP status seen by the client and the attempts recorded. */
  status: number;
  attempts: Array<{ target: string; status?: number; error?: RegExp; trigger?: string }>;
}

const CASES: Case[] = [
  { name: '429 with retry-after falls back', primary: [{ status: 429, retryAfter: 30 }], status: 200, attempts: [{ target: 'primary', status: 429, trigger: 'rate_limit' }, { target: 'secondary', status: 200 }] },
  { name: '500 falls back', primary: [{ status: 500 }], status: 200, attempts: [{ target: 'primary', status: 500, trigger: 'server_error' }, { target: 'secondary', status: 200 }] },
  { name: '503 falls back (streaming)', primary: [{ status: 503 }], stream: true, status: 200, attempts: [{ target: 'primary', status: 503, trigger: 'server_error' }, { target: 'secondary', status: 200 }] },
  { name: 'connection refused falls back', primary: [], primaryDown: true, status: 200, attempts: [{ target: 'primary', error: /^connection_error/, trigger: 'connection_error' }, { target: 'secondary', status: 200 }] },
  { name: 'a non-streamed answer slower than first_byte_ms is no timeout (its first byte is the whole answer)', primary: [{ delayMs: 900 }], status: 200, attempts: [{ target: 'primary', status: 200 }] },
  { name: 'a non-streamed answer that never comes times out (total_ms) and falls back', primary: [{ fault: 'hang' }], status: 200, attempts: [{ target: 'primary', error: /^timeout/, trigger: 'timeout' }, { target: 'secondary', status: 200 }] },
  { name: 'a stream that hangs after its headers falls back', primary: [{ fault: 'hang' }], stream: true, status: 200, attempts: [{ target: 'primary', error: /^timeout/, trigger: 'timeout' }, { target: 'secondary', status: 200 }] },
  { name: 'a reset while the hold-back window still holds every byte falls back', chain: 'pii', primary: [{ chunks: ['a ', 'b ', 'c ', 'd'], fault: 'reset-mid-stream' }], stream: true, status: 200, attempts: [{ target: 'primary', error: /^connection_error/, trigger: 'connection_error' }, { target: 'secondary', status: 200 }] },
  { name: 'malformed SSE before the first byte falls back', chain: 'pii', primary: [{ chunks: ['a ', 'b ', 'c ', 'd'], fault: 'malformed-sse' }], stream: true, status: 200, attempts: [{ target: 'primary', error: /malformed_sse/, trigger: 'connection_error' }, { target: 'secondary', status: 200 }] },
  { name: 'a reset after bytes reached the client is not retried: error event, no [DONE]', primary: [{ chunks: ['a ', 'b ', 'c ', 'd'], fault: 'reset-mid-stream' }], stream: true, midStreamError: true, status: 200, attempts: [{ target: 'primary', status: 200 }] },
  { name: '400 is not a trigger', primary: [{ status: 400, error: { message: 'bad param', type: 'invalid_request_error', code: null } }], status: 400, attempts: [{ target: 'primary', status: 400 }] },
  { name: 'triggers limit what falls back', primary: [{ status: 500 }], fallback: '  fallback:\n    triggers: [rate_limit]\n', status: 500, attempts: [{ target: 'primary', status: 500 }] },
  { name: 'provider_fallback enabled: false disables fallback', primary: [{ status: 429 }], fallback: 'provider_fallback:\n  enabled: false\n', status: 429, attempts: [{ target: 'primary', status: 429, trigger: 'rate_limit' }] },
  { name: 'attempts are bounded; the last error is passed on', primary: [{ status: 500 }], secondary: [{ status: 502 }], fallback: '  fallback:\n    max_fallback_attempts: 5\n', status: 502, attempts: [{ target: 'primary', status: 500, trigger: 'server_error' }, { target: 'secondary', status: 502, trigger: 'server_error' }] },
  { name: 'max_fallback_attempts: 0 tries one target', primary: [{ status: 500 }], fallback: '  fallback:\n    max_fallback_attempts: 0\n', status: 500, attempts: [{ target: 'primary', status: 500, trigger: 'server_error' }] },
  { name: 'fallback.targets sets the order', primary: [], secondary: [{ status: 429 }], fallback: '  fallback:\n    targets: [secondary, primary]\n', status: 200, attempts: [{ target: 'secondary', status: 429, trigger: 'rate_limit' }, { target: 'primary', status: 200 }] },
];

describe('fallback', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const down = c.primaryDown ? await closedPortUrl() : undefined;
      f = await startFixture(2, ([a, b]) => {
        const yaml = packYaml({ targets: [{ id: 'primary', url: down ?? a, env: 'KEY_A', extra: FAST }, { id: 'secondary', url: b, env: 'KEY_B', extra: FAST }], chain: c.chain === 'pii' ? ['pii-detector', 'audit-logger'] : ['audit-logger'], policy: c.chain === 'pii' ? '  pii-detector:\n    action: redact\n    entities: [EMAIL]\n' : undefined });
        if (!c.fallback) return yaml;
        return c.fallback.startsWith('provider_fallback') ? yaml.replace('policies:\n', `${c.fallback}policies:\n`) : yaml.replace('policies:\n', `${c.fallback}policies:\n`);
      });
      f.upstreams[0].script.push(...c.primary);
      f.upstreams[1].script.push(...(c.secondary ?? []));
      const res = await fetch(`${f.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: c.stream === true }),
      });
      const text = await res.text();
      expect(res.status, text).toBe(c.status);
      if (c.status === 200 && c.stream && !c.midStreamError) expect(text).toContain('data: [DONE]');
      if (c.midStreamError) {
        expect(text).not.toContain('[DONE]');
        expect(text).toContain('"upstream_stream_error"');
      }
      if (c.status !== 200) expect(JSON.parse(text).error.message).toBeTypeOf('string');
      const [rec] = (await auditRecords(f, 1)) as Array<{ attempts: Array<Record<string, unknown>>; id: string }>;
      expect(rec.id).toBe(res.headers.get('x-request-id'));
      expect(rec.attempts.map((a) => ({ target: a.target, ...(a.status !== undefined ? { status: a.status } : {}), ...(a.trigger ? { trigger: a.trigger } : {}), ...(a.error ? { error: a.error } : {}) }))).toEqual(
        c.attempts.map((a) => ({ target: a.target, ...(a.status !== undefined ? { status: a.status } : {}), ...(a.trigger ? { trigger: a.trigger } : {}), ...(a.error ? { error: expect.stringMatching(a.error) } : {}) })),
      );
    });
  }

  it('honours retry-after: passes it on, waits out a short one before the next call, answers at once during a long one', async () => {
    f = await startFixture(1, ([a]) => packYaml({ targets: [{ id: 'only', url: a, env: 'KEY_A' }], chain: ['audit-logger'] }));
    const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    f.upstreams[0].script.push({ status: 429, retryAfter: 1 });
    // Timed from before the first request: the gateway's 1 s cool-down starts when the 429 arrives, which is
    // after this, so the bound holds however slow the machine (timing from the first answer instead left
    // 1000 ms minus that answer's trip back, which a loaded machine could push under any fixed margin).
    const t0 = Date.now();
    const first = await ask().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RateLimitError);
    expect((first as RateLimitError).headers?.get('retry-after')).toBe('1');
    const ok = await ask();
    expect(ok.choices[0].message.content).toContain('hi');
    // A few ms of slack: Node timers may fire a millisecond before Date.now() reaches their deadline.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(995);
    f.upstreams[0].script.push({ status: 429, retryAfter: 60 });
    const err = await ask().catch((e: unknown) => e);
    expect((err as RateLimitError).headers?.get('retry-after')).toBe('60');
    // While it cools down, the next request is answered 429 at once, without calling the upstream.
    const before = f.upstreams[0].requests.length;
    const again = await ask().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(RateLimitError);
    expect(Number((again as RateLimitError).headers?.get('retry-after'))).toBeGreaterThan(50);
    expect(f.upstreams[0].requests.length).toBe(before);
  });

  it('sends the target key, never the client key, unless the target opts in; scrubs keys from upstream errors', async () => {
    f = await startFixture(2, ([a, b]) =>
      packYaml({ targets: [{ id: 'primary', url: a, env: 'KEY_A' }, { id: 'byok', url: b, extra: '      forward_client_key: true\n' }], chain: ['audit-logger'], extra: '  fallback:\n    triggers: [server_error]\n' }),
    );
    const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'sk-client-own-key-123456', maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(f.upstreams[0].requests[0].headers.authorization).toBe('Bearer sk-test-aaaaaaaaaaaaaaaa');
    f.upstreams[0].script.push({ status: 500 });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(f.upstreams[1].requests[0].headers.authorization).toBe('Bearer sk-client-own-key-123456');
    f.upstreams[0].script.push({ status: 401, error: { message: 'Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz. Bearer sk-proj-abcdefghijkl', type: 'invalid_request_error', code: 'invalid_api_key' } });
    const err = (await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as APIError;
    expect(err.status).toBe(401);
    expect(err.message).toContain('Incorrect API key provided');
    expect(err.message).not.toContain('abcdefghij');
  });
  it('each attempt sends the policed body with its own target\'s model; a target that passes the model through gets the client\'s', async () => {
    for (const models of [['gpt-4.1', 'gpt-4o-mini'], ['gpt-4.1', null], [null, 'gpt-4.1']] as const) {
      f = await startFixture(2, ([a, b]) => packYaml({ targets: [{ id: 'primary', url: a, env: 'KEY_A', extra: FAST }, { id: 'secondary', url: b, env: 'KEY_B', extra: FAST }], chain: ['audit-logger'] }), {}, (ir) => {
        ir.targets[0].model = models[0];
        ir.targets[1].model = models[1];
      });
      const sent = { messages: [{ role: 'user', content: 'long "quoted"\ntext' }, { role: 'user', content: 'plain text' }], model: 'client-model', temperature: 0.5 };
      for (const body of [sent, { ...sent, messages: [sent.messages[1]] }]) {
        f.upstreams[0].script.push({ status: 500 });
        const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(res.status).toBe(200);
        const [first, second] = [f.upstreams[0].requests.at(-1)!.body, f.upstreams[1].requests.at(-1)!.body];
        expect(first).toEqual({ ...body, model: models[0] ?? 'client-model' });
        expect(second).toEqual({ ...body, model: models[1] ?? 'client-model' });
      }
      await f.close();
      f = undefined;
    }
  });
});
