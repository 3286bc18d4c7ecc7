// Streams stay faithful through the hold-back window: no whole-stream buffering, text order, sequential tool calls, usage, upstream error events.
import type { ServerResponse } from 'node:http';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords, packYaml, startFixture, type Fixture } from './gateway-fixture.js';

const PII = '  pii-detector:\n    action: redact\n    entities: [EMAIL]\n';

/** Writes OpenAI chat.completion.chunk events the way api.openai.com does (usage: null on every chunk when include_usage). */
function sse(res: ServerResponse, body: unknown) {
  const includeUsage = (body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage === true;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const base = { id: 'chatcmpl-fidelity', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_f1', ...(includeUsage ? { usage: null } : {}) };
  return {
    choices: (choices: unknown[]) => res.write(`data: ${JSON.stringify({ ...base, choices })}\n\n`),
    usage: (usage: Record<string, number>) => includeUsage && res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`),
    raw: (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`),
    done: () => res.end('data: [DONE]\n\n'),
  };
}

const USAGE = { prompt_tokens: 12, completion_tokens: 34, total_tokens: 46 };
const LONG = 'The committee reviewed the quarterly figures and agreed that the roadmap stays as planned for now. '.repeat(6);

for (const [name, chain] of [
  ['no response policies', ['audit-logger']],
  ['a redacting response policy', ['pii-detector', 'audit-logger']],
] as const) {
  describe(`streaming with ${name}`, () => {
    let f: Fixture;
    let client: OpenAI;
    beforeAll(async () => {
      f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'primary', url, env: 'KEY_A' }], chain: [...chain], policy: chain.length > 1 ? PII : undefined }));
      client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    });
    afterAll(() => f.close());

    it('passes chunks on as they arrive: the client sees the first text before the upstream sends the rest', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      // Hang guard only: if the gateway buffered, the upstream still finishes and the assertion below fails.
      const guard = setTimeout(release, 10_000);
      let restSent = false;
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          s.choices([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { content: LONG }, logprobs: null, finish_reason: null }]);
          void gate.then(() => {
            restSent = true;
            s.choices([{ index: 0, delta: { content: 'The end.' }, logprobs: null, finish_reason: null }]);
            s.choices([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
            s.done();
          });
        },
      });
      let text = '';
      let seenBeforeRest: boolean | undefined;
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
      for await (const c of stream) {
        text += c.choices[0]?.delta?.content ?? '';
        if (text.length > 0 && seenBeforeRest === undefined) {
          seenBeforeRest = !restSent;
          release();
        }
      }
      clearTimeout(guard);
      expect(seenBeforeRest).toBe(true);
      expect(text).toBe(`${LONG}The end.`);
    });

    it('keeps the text in order when the last content arrives in the chunk that carries finish_reason', async () => {
      const words = Array.from({ length: 40 }, (_, i) => `word${String(i).padStart(2, '0')} `);
      const last = 'and the final sentence rides along with the finish reason, as several compatible providers send it.';
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          s.choices([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
          for (const w of words) s.choices([{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { content: last }, logprobs: null, finish_reason: 'stop' }]);
          s.done();
        },
      });
      let text = '';
      let finish: string | null = null;
      for await (const c of await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true })) {
        text += c.choices[0]?.delta?.content ?? '';
        finish = c.choices[0]?.finish_reason ?? finish;
      }
      expect(text).toBe(words.join('') + last);
      expect(finish).toBe('stop');
    });

    it('an email split into the chunk that carries finish_reason never reaches the client unredacted', async () => {
      const words = Array.from({ length: 60 }, (_, i) => `item${i} `);
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          s.choices([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
          for (const w of words) s.choices([{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { content: 'write to jane.doe@exa' }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { content: 'mple.com today' }, logprobs: null, finish_reason: 'stop' }]);
          s.done();
        },
      });
      const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }) });
      const raw = await res.text();
      const text = raw.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => (JSON.parse(e.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta?.content ?? '').join('');
      const redacted = chain.length > 1;
      expect(text).toBe(`${words.join('')}write to ${redacted ? '[EMAIL_1]' : 'jane.doe@example.com'} today`);
      if (redacted) expect(raw).not.toContain('jane.doe');
    });

    it('streams parallel tool calls of n > 1 choices one after another, so the SDK stream helper parses strict arguments', async () => {
      const calls = [
        { id: 'call_a', args: '{"city": "Paris", "note": "mail ann@example.com first"}' },
        { id: 'call_b', args: '{"city": "Rome", "note": "nothing to hide here"}' },
      ];
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          for (const c of [0, 1]) s.choices([{ index: c, delta: { role: 'assistant', content: null, refusal: null }, logprobs: null, finish_reason: null }]);
          for (const c of [0, 1]) {
            calls.forEach((call, k) => {
              s.choices([{ index: c, delta: { tool_calls: [{ index: k, id: `${call.id}${c}`, type: 'function', function: { name: 'get_weather', arguments: '' } }] }, logprobs: null, finish_reason: null }]);
              for (const piece of call.args.match(/.{1,6}/g)!) s.choices([{ index: c, delta: { tool_calls: [{ index: k, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }]);
            });
          }
          for (const c of [0, 1]) s.choices([{ index: c, delta: {}, logprobs: null, finish_reason: 'tool_calls' }]);
          s.usage(USAGE);
          s.done();
        },
      });
      const tools = [{ type: 'function' as const, function: { name: 'get_weather', strict: true, parameters: { type: 'object', properties: { city: { type: 'string' }, note: { type: 'string' } }, required: ['city', 'note'], additionalProperties: false } } }];
      const done: Array<[number, unknown]> = [];
      const stream = client.chat.completions.stream({ model: 'gpt-4o', n: 2, messages: [{ role: 'user', content: 'x' }], tools, stream_options: { include_usage: true } });
      stream.on('tool_calls.function.arguments.done', (e) => done.push([e.index, e.parsed_arguments]));
      const final = await stream.finalChatCompletion();
      const redacted = chain.length > 1;
      const note0 = redacted ? 'mail [EMAIL_1] first' : 'mail ann@example.com first';
      for (const c of [0, 1]) {
        expect(final.choices[c].finish_reason).toBe('tool_calls');
        expect(final.choices[c].message.tool_calls!.map((t) => [t.id, t.type, t.type === 'function' ? t.function.name : '', t.type === 'function' ? JSON.parse(t.function.arguments) : null])).toEqual([
          [`call_a${c}`, 'function', 'get_weather', { city: 'Paris', note: note0 }],
          [`call_b${c}`, 'function', 'get_weather', { city: 'Rome', note: 'nothing to hide here' }],
        ]);
      }
      // Each tool call is announced done once, with its complete arguments (the helper marks a call done
      // when the next one of its choice starts, the last ones at finish_reason).
      expect(done).toEqual([
        [0, { city: 'Paris', note: note0 }],
        [0, { city: 'Paris', note: note0 }],
        [1, { city: 'Rome', note: 'nothing to hide here' }],
        [1, { city: 'Rome', note: 'nothing to hide here' }],
      ]);
      expect(final.usage).toMatchObject(USAGE);
    });

    it('keeps whole tool calls delivered in one chunk (as some compatible providers send them) intact and in order', async () => {
      const long = `{"text": "${'a harmless and rather long argument value '.repeat(8)}mail bob@example.com"}`;
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          s.choices([{ index: 0, delta: { role: 'assistant', content: 'Calling two tools.', tool_calls: [
            { index: 0, id: 'call_1', type: 'function', function: { name: 'note', arguments: long } },
            { index: 1, id: 'call_2', type: 'function', function: { name: 'note', arguments: '{"text": "second"}' } },
          ] }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }]);
          s.done();
        },
      });
      const final = await client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'note', parameters: { type: 'object' } } }] }).finalChatCompletion();
      const msg = final.choices[0].message;
      expect(msg.content).toBe('Calling two tools.');
      const args = msg.tool_calls!.map((t) => (t.type === 'function' ? t.function.arguments : ''));
      expect(args[0]).toBe(chain.length > 1 ? long.replace('bob@example.com', '[EMAIL_1]') : long);
      expect(args[1]).toBe('{"text": "second"}');
    });

    it('streams a legacy function_call (the functions API) whole, its arguments policed like a tool call', async () => {
      const args = '{"to": "mail jane.roe@example.com today", "note": "split across chunks"}';
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          s.choices([{ index: 0, delta: { role: 'assistant', content: null, function_call: { name: 'send', arguments: '' } }, logprobs: null, finish_reason: null }]);
          for (const piece of args.match(/.{1,5}/g)!) s.choices([{ index: 0, delta: { function_call: { arguments: piece } }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: {}, logprobs: null, finish_reason: 'function_call' }]);
          s.done();
        },
      });
      const final = await client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], functions: [{ name: 'send', parameters: { type: 'object' } }] }).finalChatCompletion();
      expect(final.choices[0].finish_reason).toBe('function_call');
      expect(final.choices[0].message.function_call).toEqual({ name: 'send', arguments: chain.length > 1 ? args.replace('jane.roe@example.com', '[EMAIL_1]') : args });
    });

    it('an upstream interleaving parallel tool-call arguments: a span cut by the interleave is never completed on the client', async () => {
      // OpenAI streams parallel calls one after another; the relay releases a call's held-back tail when the next one
      // begins. An upstream that then returns to the first call could complete a span across that cut.
      const first = `{"note": "${'a harmless and rather long argument value '.repeat(8)}write to jane.roe@`;
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          s.choices([{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'note', arguments: first } }] }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'note', arguments: '{"note": "b"}' } }] }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'example.com today"}' } }] }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }]);
          s.done();
        },
      });
      const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true, tools: [{ type: 'function', function: { name: 'note', parameters: { type: 'object' } } }] }) });
      const raw = await res.text();
      if (chain.length > 1) {
        expect(raw).not.toContain('example.com');
        expect(raw).not.toContain('[DONE]');
        expect(raw.trimEnd().split('\n\n').at(-1)).toContain('"code":"output_blocked"');
        const recs = await auditRecords(f);
        expect(recs.find((r) => r.id === res.headers.get('x-request-id'))).toMatchObject({ verdict: 'block', reasons: [expect.objectContaining({ code: 'stream.interleaved_arguments' })] });
      } else {
        expect(raw).toContain('example.com today');
        expect(raw).toContain('[DONE]');
      }
    });

    it('text the response chain cannot check (token logprobs, a vendor reasoning_content) never passes it; without one it passes as sent', async () => {
      const policed = chain.length > 1;
      // A client asking for logprobs is refused when answers are policed: the tokens would spell out what was redacted.
      const asked = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], logprobs: true, stream: true }).then(
        async (st) => {
          for await (const c of st) void c;
          return 'answered';
        },
        (e: unknown) => e,
      );
      if (policed) expect(asked).toMatchObject({ status: 400, code: 'unsupported_parameter', param: 'logprobs' });
      else expect(asked).toBe('answered');
      // An upstream may send them unasked (a vendor's reasoning field, logprobs).
      const lp = (t: string) => ({ content: [{ token: t, logprob: -0.1, bytes: [...Buffer.from(t)], top_logprobs: [] }], refusal: null });
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          s.choices([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { reasoning_content: 'the user is jane.roe@' }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { reasoning_content: 'example.com' }, logprobs: null, finish_reason: null }]);
          for (const piece of [LONG, 'write to jane.roe@', 'example.com now', LONG]) s.choices([{ index: 0, delta: { content: piece }, logprobs: lp(piece), finish_reason: null }]);
          s.choices([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
          s.done();
        },
      });
      const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }) });
      const raw = await res.text();
      expect(raw).toContain('[DONE]');
      if (policed) expect(raw).not.toContain('jane.roe');
      else {
        expect(raw).toContain('"reasoning_content":"the user is jane.roe@"');
        expect(raw).toContain('"token":"write to jane.roe@"');
      }
    });

    it('a whole answer: logprobs and unknown message fields are dropped when answers are policed, passed byte for byte otherwise', async () => {
      const answer = {
        id: 'chatcmpl-x', object: 'chat.completion', created: 1, model: 'gpt-4o-2024-08-06',
        choices: [{ index: 0, message: { role: 'assistant', content: 'write to jane.roe@example.com', refusal: null, reasoning_content: 'jane.roe@example.com asked', audio: { id: 'a1', data: 'AAAA', transcript: 'write to jane.roe@example.com', expires_at: 1 } }, logprobs: { content: [{ token: 'jane.roe@example.com', logprob: -0.1, bytes: [1], top_logprobs: [] }], refusal: null }, finish_reason: 'stop' }],
        usage: USAGE,
      };
      const sent = JSON.stringify(answer);
      f.upstreams[0].script.push({ reply: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(sent) });
      const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }) });
      const body = await res.text();
      if (chain.length > 1) {
        expect(body).not.toContain('jane.roe');
        expect(JSON.parse(body).choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: 'write to [EMAIL_1]', refusal: null }, logprobs: null, finish_reason: 'stop' });
      } else expect(body).toBe(sent);
    });

    it('records how many spans a long stream redacted, by entity, and which policy did', async () => {
      const emails = Array.from({ length: 12 }, (_, i) => `person${i}@example.com`);
      const text = [...emails, emails[0], emails[5], emails[11]].map((e, i) => `${'Some filler words before the next address. '.repeat(i % 3)}write to ${e} please. `).join('');
      f.upstreams[0].script.push({ chunks: text.match(/[\s\S]{1,7}/g)! });
      const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }) });
      const raw = await res.text();
      expect(raw).toContain('[DONE]');
      const rec = (await auditRecords(f)).find((r) => r.id === res.headers.get('x-request-id')) as { verdict: string; redactions: Record<string, number>; policies: Array<{ policy: string; phase: string; outcome: string }> };
      if (chain.length > 1) {
        expect(raw).not.toContain('@example.com');
        expect(rec.verdict).toBe('redact');
        expect(rec.redactions).toEqual({ EMAIL: 15 });
        expect(rec.policies.filter((p) => p.phase === 'response')).toEqual([expect.objectContaining({ policy: 'pii-detector', outcome: 'redact' })]);
      } else {
        expect(rec.verdict).toBe('allow');
        expect(rec.redactions).toEqual({});
      }
    });

    it('sends the usage chunk only to a client that asked for it, and always records usage', async () => {
      for (const includeUsage of [false, true]) {
        f.upstreams[0].script.push({
          reply: (_req, res, body) => {
            const s = sse(res, body);
            s.choices([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
            s.choices([{ index: 0, delta: { content: 'short answer' }, logprobs: null, finish_reason: null }]);
            s.choices([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
            s.usage(USAGE);
            s.done();
          },
        });
        const res = await fetch(`${f.gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) }),
        });
        const events = (await res.text()).split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)) as { usage?: unknown; choices: unknown[] });
        const withUsage = events.filter((e) => e.usage && typeof e.usage === 'object');
        if (includeUsage) {
          expect(withUsage).toHaveLength(1);
          expect(events.at(-1)).toMatchObject({ choices: [], usage: USAGE });
        } else expect(withUsage).toHaveLength(0);
        const recs = await auditRecords(f);
        const rec = recs.find((r) => r.id === res.headers.get('x-request-id'));
        expect(rec?.usage).toMatchObject(USAGE);
      }
    });

    it('an error event from the upstream mid-stream ends the stream with an error the SDK raises, no [DONE], nothing key-like', async () => {
      // The upstream sends its error only once the client has seen text, so it is truly mid-stream.
      const script = (then: (s: ReturnType<typeof sse>, res: ServerResponse) => void) => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const guard = setTimeout(release, 10_000);
        f.upstreams[0].script.push({
          reply: (_req, res, body) => {
            const s = sse(res, body);
            s.choices([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
            s.choices([{ index: 0, delta: { content: LONG }, logprobs: null, finish_reason: null }]);
            void gate.then(() => then(s, res));
          },
        });
        return () => {
          clearTimeout(guard);
          release();
        };
      };
      const ERROR = { error: { message: 'The server had an error while processing your request (key sk-proj-abcdefghijklmnopqrstuv).', type: 'server_error', param: null, code: null } };
      // Some upstreams still close with [DONE] after the error; the answer is incomplete all the same.
      let release = script((s) => {
        s.raw(ERROR);
        s.done();
      });
      const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }) });
      expect(res.status).toBe(200);
      let raw = '';
      const decoder = new TextDecoder();
      for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
        raw += decoder.decode(piece, { stream: true });
        if (raw.includes('"content":"The committee')) release();
      }
      release();
      expect(raw).toContain('The committee');
      expect(raw).not.toContain('[DONE]');
      expect(raw).not.toContain('abcdefghij');
      expect(raw.trimEnd().split('\n\n').at(-1)).toMatch(/^data: \{"error":/);
      release = script((s, r) => {
        s.raw(ERROR);
        r.end();
      });
      let text = '';
      const err = await (async () => {
        for await (const c of await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true })) {
          text += c.choices[0]?.delta?.content ?? '';
          if (text) release();
        }
      })().catch((e: unknown) => e);
      release();
      expect(text.length).toBeGreaterThan(0);
      expect(err).toBeInstanceOf(APIError);
      expect(String((err as APIError).message)).not.toContain('abcdefghij');
      const recs = await auditRecords(f);
      expect(recs.at(-1)).toMatchObject({ verdict: 'error', stream: true });
    });
  });
}

describe('an upstream error event before the first byte', () => {
  it('falls back to the next target; the client never sees it', async () => {
    const f = await startFixture(2, ([a, b]) => packYaml({ targets: [{ id: 'primary', url: a, env: 'KEY_A' }, { id: 'secondary', url: b, env: 'KEY_B' }], chain: ['pii-detector', 'audit-logger'], policy: PII }));
    try {
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          s.raw({ error: { message: 'The server is overloaded.', type: 'server_error', param: null, code: null } });
          res.end();
        },
      });
      const client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
      let text = '';
      for await (const c of await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }], stream: true })) text += c.choices[0]?.delta?.content ?? '';
      expect(text).toContain('You said: hello');
      const [rec] = (await auditRecords(f, 1)) as Array<{ attempts: Array<{ target: string; trigger?: string }> }>;
      expect(rec.attempts.map((a) => [a.target, a.trigger ?? null])).toEqual([
        ['primary', expect.any(String)],
        ['secondary', null],
      ]);
    } finally {
      await f.close();
    }
  });
});

describe('a response chain that only warns', () => {
  it('changes no answer, so logprobs are allowed and every field passes as sent', async () => {
    const f = await startFixture(1, ([url]) => packYaml({ targets: [{ id: 'primary', url, env: 'KEY_A' }], chain: ['content-filter', 'audit-logger'], policy: '  content-filter:\n    action: warn\n    blocked_terms: [forbiddenword]\n    apply_to: output\n' }));
    try {
      const lp = { content: [{ token: 'hello', logprob: -0.1, bytes: [104], top_logprobs: [] }], refusal: null };
      f.upstreams[0].script.push({
        reply: (_req, res, body) => {
          const s = sse(res, body);
          s.choices([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { reasoning_content: 'thinking' }, logprobs: null, finish_reason: null }]);
          s.choices([{ index: 0, delta: { content: 'hello' }, logprobs: lp, finish_reason: null }]);
          s.choices([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
          s.done();
        },
      });
      const res = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true, logprobs: true }) });
      expect(res.status).toBe(200);
      const raw = await res.text();
      expect(raw).toContain('"reasoning_content":"thinking"');
      expect(raw).toContain('"token":"hello"');
    } finally {
      await f.close();
    }
  });
});
