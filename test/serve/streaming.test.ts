// Streaming through the gateway with the official openai client: pass-through, usage, tools, n>1, hold-back redaction, blocks, faults.
import OpenAI, { APIError, PermissionDeniedError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords, packYaml, startFixture, type Fixture } from './gateway-fixture.js';

const TOOLS = [{ type: 'function' as const, function: { name: 'send_mail', parameters: { type: 'object', properties: { text: { type: 'string' } } } } }];

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  const text: Record<number, string> = {};
  const args: Record<number, string> = {};
  const finish: Record<number, string | null> = {};
  let usage: OpenAI.CompletionUsage | undefined | null;
  let chunks = 0;
  for await (const c of stream) {
    chunks++;
    if (c.usage) usage = c.usage;
    for (const ch of c.choices) {
      text[ch.index] = (text[ch.index] ?? '') + (ch.delta.content ?? '');
      for (const tc of ch.delta.tool_calls ?? []) args[ch.index] = (args[ch.index] ?? '') + (tc.function?.arguments ?? '');
      if (ch.finish_reason) finish[ch.index] = ch.finish_reason;
    }
  }
  return { text, args, finish, usage, chunks };
}

describe('streaming (redacting pack)', () => {
  let f: Fixture;
  let client: OpenAI;
  beforeAll(async () => {
    f = await startFixture(1, ([url]) =>
      packYaml({ targets: [{ id: 'primary', url, env: 'KEY_A' }], chain: ['pii-detector', 'audit-logger'], policy: '  pii-detector:\n    action: redact\n    entities: [EMAIL, SSN]\n' }),
    );
    client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  });
  afterAll(() => f.close());
  const mock = () => f.upstreams[0];

  it('passes a clean stream through and ends it with [DONE]; usage only when asked; usage always requested upstream', async () => {
    const before = mock().requests.length;
    const plain = await collect(await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello stream' }], stream: true }));
    expect(plain.text[0]).toBe('Hello from the ktpack mock upstream. You said: hello stream');
    expect(plain.finish[0]).toBe('stop');
    expect(plain.usage ?? undefined).toBeUndefined();
    expect((mock().requests[before].body as { stream_options: { include_usage: boolean } }).stream_options.include_usage).toBe(true);
    const withUsage = await collect(await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }], stream: true, stream_options: { include_usage: true } }));
    expect(withUsage.usage?.total_tokens).toBeGreaterThan(0);
    const recs = await auditRecords(f, 2);
    const last = recs[recs.length - 1] as { cost: { usd: number; model: string }; usage: { total_tokens: number }; stream: boolean };
    expect(last.stream).toBe(true);
    expect(last.usage.total_tokens).toBe(withUsage.usage?.total_tokens);
    expect(last.cost.usd).toBeGreaterThan(0);
    // the plain stream's record has usage too although the client did not ask for it
    expect((recs[recs.length - 2] as { usage: { total_tokens: number } }).usage.total_tokens).toBeGreaterThan(0);
  });

  it('redacts a span split across chunks: no byte of it reaches the client', async () => {
    const cases = [
      ['Write to jane', '.doe@exa', 'mple.com today'],
      ['j', 'a', 'n', 'e', '@', 'x', '.', 'i', 'o', ' ok'],
      ['SSN 123-45', '-6789 on file'],
    ];
    for (const chunks of cases) {
      mock().script.push({ chunks });
      const raw = await fetch(`${f.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }),
      });
      const body = await raw.text();
      const joined = chunks.join('');
      const secret = /[\w.]+@[\w.]+|\d{3}-\d{2}-\d{4}/.exec(joined)![0];
      // Not in any event, and not even split across events.
      const text = body.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content ?? '').join('');
      expect(text).not.toContain(secret);
      expect(text).toMatch(/\[(EMAIL|SSN)_1\]/);
      expect(body).not.toContain(secret);
      expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    }
  });

  it('keeps tool-call deltas intact and redacts inside their arguments', async () => {
    mock().script.push({ text: 'mail bob@corp.example.com now' });
    const r = await collect(await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], tools: TOOLS, stream: true }));
    expect(r.finish[0]).toBe('tool_calls');
    expect(JSON.parse(r.args[0])).toEqual({ text: 'mail [EMAIL_1] now' });
  });

  it('keeps n > 1 choices apart', async () => {
    const r = await collect(await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'two answers' }], n: 2, stream: true }));
    expect(Object.keys(r.text)).toEqual(['0', '1']);
    expect(r.text[0]).toBe(r.text[1]);
    expect(r.text[0]).toContain('two answers');
  });

  it('non-streaming responses are redacted too', async () => {
    mock().script.push({ text: 'reach me at jane@corp.example.com' });
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    expect(r.choices[0].message.content).toBe('reach me at [EMAIL_1]');
  });

  it('an upstream reset mid-stream ends the stream with an error event the SDK raises, and no [DONE]', async () => {
    mock().script.push({ chunks: ['one ', 'two ', 'three ', 'four ', 'five ', 'six'], fault: 'reset-mid-stream' });
    const raw = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }) });
    const body = await raw.text();
    // Before any byte reached the client the gateway may still answer with an error status; either way no [DONE].
    expect(body).not.toContain('[DONE]');
    expect(body).toContain('upstream');
  });

  it('malformed SSE from the upstream becomes an error, never a pass-through', async () => {
    mock().script.push({ chunks: ['a ', 'b ', 'c ', 'd'], fault: 'malformed-sse' });
    const err = await (async () => collect(await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true })))().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain('malformed');
    // Before the first byte a 502 says the upstream's answer was bad (it was reached); after it, an error event.
    expect(['bad_upstream_response', 'upstream_stream_error']).toContain((err as APIError).code);
  });

  it('a stream that ends without [DONE] is reported as incomplete', async () => {
    mock().script.push({ chunks: ['a ', 'b'], fault: 'no-done' });
    const err = await (async () => collect(await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true })))().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(String((err as APIError).message)).toContain('without [DONE]');
  });
});

describe('streaming (blocking pack)', () => {
  let f: Fixture;
  let client: OpenAI;
  beforeAll(async () => {
    f = await startFixture(1, ([url]) =>
      packYaml({ targets: [{ id: 'primary', url, env: 'KEY_A' }], chain: ['pii-detector', 'audit-logger'], policy: '  pii-detector:\n    action: block\n    entities: [EMAIL]\n' }),
    );
    client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  });
  afterAll(() => f.close());

  it('a block before the first byte is a real 403 (PermissionDeniedError, output_blocked)', async () => {
    f.upstreams[0].script.push({ chunks: ['contact ', 'x@y.io'] });
    const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect((err as PermissionDeniedError).code).toBe('output_blocked');
    // Its record names the reason, as a non-streamed block's does.
    const recs = await auditRecords(f, 1);
    expect(recs.find((r) => r.id === (err as PermissionDeniedError).requestID)).toMatchObject({ verdict: 'block', phase: 'response', status: 403, reasons: [{ policy: 'pii-detector', code: 'pii.detected' }] });
  });

  it('a long answer streams past the hold-back window; a later email ends it with an error event', async () => {
    const prefix = 'This is a perfectly harmless sentence about quarterly planning. '.repeat(8);
    f.upstreams[0].script.push({ chunks: [...prefix.match(/.{1,16}/g)!, 'write to x', '@y.io', ' later'], chunkDelayMs: 3 });
    let seen = '';
    const err = await (async () => {
      const s = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
      for await (const c of s) seen += c.choices[0]?.delta?.content ?? '';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(seen.length).toBeGreaterThan(100);
    expect(prefix.startsWith(seen)).toBe(true);
    expect(seen).not.toContain('x@y.io');
  });

  it('a block after the first byte ends with an error event the SDK raises, and no [DONE]', async () => {
    // Choice 0 finishes cleanly (and is sent); choice 1 then carries the email.
    f.upstreams[0].script.push({
      reply: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
        const send = (choices: unknown[]) => res.write(`data: ${JSON.stringify({ ...base, choices })}\n\n`);
        send([{ index: 0, delta: { role: 'assistant', content: 'all clear' }, finish_reason: null }]);
        send([{ index: 0, delta: {}, finish_reason: 'stop' }]);
        setTimeout(() => {
          send([{ index: 1, delta: { role: 'assistant', content: 'mail x@y.io' }, finish_reason: null }]);
          send([{ index: 1, delta: {}, finish_reason: 'stop' }]);
          res.end('data: [DONE]\n\n');
        }, 30);
      },
    });
    const seen: string[] = [];
    const err = await (async () => {
      const s = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], n: 2, stream: true });
      for await (const c of s) for (const ch of c.choices) seen.push(ch.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(seen.join('')).toContain('all clear');
    expect(seen.join('')).not.toContain('x@y.io');
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain('blocked');
    const recs = await auditRecords(f, 2);
    expect(recs[recs.length - 1]).toMatchObject({ verdict: 'block', phase: 'response', stream: true, reasons: [{ policy: 'pii-detector', code: 'pii.detected' }] });
  });
});

describe('streaming in report-only mode', () => {
  it('passes the text through unchanged and records the block it would have made', async () => {
    const f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'primary', url, env: 'KEY_A' }], chain: ['pii-detector', 'audit-logger'], policy: '  pii-detector:\n    action: block\n    entities: [EMAIL]\n' }), { reportOnly: true });
    try {
      const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
      f.upstreams[0].script.push({ chunks: ['contact ', 'x@y.io', ' soon'] });
      const r = await collect(await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }));
      expect(r.text[0]).toBe('contact x@y.io soon');
      const [rec] = await auditRecords(f, 1);
      expect(rec).toMatchObject({ verdict: 'block', phase: 'response', report_only: true });
    } finally {
      await f.close();
    }
  });
});
