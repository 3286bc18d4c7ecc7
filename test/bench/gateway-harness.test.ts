// The gateway benchmark's own parts: fake upstream speaks OpenAI's wire format, the bare proxy passes it through,
// the load driver counts what it sees, the profile ranking and the prompt sizes are right.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helpers of the benchmark, no type declarations
import { ROOT, runLoad, startService } from '../../bench/gateway/processes.mjs';
// @ts-expect-error plain ESM helpers of the benchmark, no type declarations
import { selfTimeByArea, topSelfTime } from '../../bench/gateway/cpu-profile.mjs';
// @ts-expect-error plain ESM helpers of the benchmark, no type declarations
import { prompt1k, prompt100k } from '../../bench/gateway/prompts.mjs';

interface Service {
  url: string;
  stop(): Promise<number | null>;
}

let upstream: Service;
let bare: Service;

beforeAll(async () => {
  upstream = await startService('upstream', [`${ROOT}bench/gateway/fake-upstream.mjs`, '--stream-chunks=5', '--stream-gap-ms=1']);
  bare = await startService('bare proxy', [`${ROOT}bench/gateway/bare-proxy.mjs`, `--upstream=${upstream.url}`]);
});

afterAll(async () => {
  await bare?.stop();
  await upstream?.stop();
});

const client = (base: string) => new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test-not-real', maxRetries: 0 });

describe.each([
  ['fake upstream', () => upstream.url],
  ['bare proxy', () => bare.url],
])('%s with the official openai client', (_name, base) => {
  it('answers a chat completion with usage', async () => {
    const r = await client(base()).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0].message.content).toMatch(/quick brown fox/);
    expect(r.usage?.total_tokens).toBe((r.usage?.prompt_tokens ?? 0) + (r.usage?.completion_tokens ?? 0));
  });

  it('streams SSE chunks ending with a usage chunk', async () => {
    const stream = await client(base()).chat.completions.create({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let chunks = 0;
    let usage: unknown = null;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(chunks).toBeGreaterThanOrEqual(7); // role + 5 content + stop (+ usage)
    expect(text).toMatch(/^The quick brown fox/);
    expect(usage).toMatchObject({ completion_tokens: 40 });
  });

  it('answers 429 with retry-after like OpenAI, parsed by the SDK', async () => {
    const err = await client(base())
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-fake-status': '429' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('1');
  });
});

describe('load driver', () => {
  it('counts successes and errors separately', async () => {
    const job = { mode: 'closed', concurrency: 2, maxSeconds: 0.3, warmupSeconds: 0.05, maxRequests: 200, body: JSON.stringify(prompt1k()) };
    const ok = await runLoad({ ...job, url: `${upstream.url}/v1/chat/completions` });
    expect(ok.ok).toBeGreaterThan(0);
    expect(ok.errors.count).toBe(0);
    expect(ok.latency.p50).toBeGreaterThan(0);
    const bad = await runLoad({ ...job, url: `${upstream.url}/v1/nowhere` });
    expect(bad.ok).toBe(0);
    expect(bad.errors.statuses['404']).toBeGreaterThan(0);
  });

  it('gives every request its own text (no detector cache can answer from an earlier request)', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        seen.push(b);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const job = { mode: 'closed', concurrency: 2, maxSeconds: 0.3, warmupSeconds: 0, maxRequests: 40, body: JSON.stringify(prompt1k()) };
      const r = await runLoad({ ...job, url: `http://127.0.0.1:${port}/v1/chat/completions` });
      expect(r.ok).toBe(seen.length);
      expect(seen.length).toBeGreaterThan(5);
      expect(new Set(seen).size).toBe(seen.length);
      for (const body of seen) {
        expect(body).not.toContain('@@N@@');
        const { messages } = JSON.parse(body) as { messages: Array<{ content: string }> };
        expect(messages.every((m) => /^\d+: /.test(m.content))).toBe(true);
      }
    } finally {
      server.close();
    }
  });

  it('times streams and reports a refused stream instead of timing it', async () => {
    const body = JSON.stringify({ ...prompt1k(), stream: true });
    const s = await runLoad({ mode: 'stream', concurrency: 1, maxSeconds: 0.3, maxRequests: 5, body, url: `${upstream.url}/v1/chat/completions` });
    expect(s.ok).toBe(5);
    expect(s.gap.count).toBeGreaterThan(0);
    const refused = await runLoad({ mode: 'stream', concurrency: 1, maxSeconds: 0.3, maxRequests: 5, body: '{"stream":true}', url: `${upstream.url}/v1/chat/completions` });
    expect(refused.refused.status).toBe(400);
  });
});

describe('cpu profile ranking', () => {
  const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('chat', 'file:///x/dist/serve/proxy-core.js', 23) },
      { id: 3, callFrame: frame('(idle)') },
      { id: 4, callFrame: frame('findPii', 'file:///x/dist/runtime/detectors/pii.js', 49) },
    ],
    samples: [2, 2, 3, 4, 2, 4, 3, 2],
    timeDeltas: [10, 10, 20, 5, 10, 5, 20, 20],
  };
  it.each([
    [0, 'chat', 'dist/serve/proxy-core.js:24', 50],
    [1, '(idle)', '(native)', 40],
    [2, 'findPii', 'dist/runtime/detectors/pii.js:50', 10],
  ])('rank %i is %s at %s with %i%%', (rank, name, where, percent) => {
    const top = topSelfTime(profile, 3);
    expect(top[rank]).toEqual({ name, where, percent });
  });
  it('sums self time by area', () => {
    expect(selfTimeByArea(profile)).toEqual([
      { area: 'ktpack serve (proxy core, HTTP adapter, upstream, audit)', percent: 50 },
      { area: 'idle', percent: 40 },
      { area: 'ktpack runtime (policy evaluation)', percent: 10 },
    ]);
  });
});

describe('prompts', () => {
  it.each([
    ['1 KB', () => prompt1k(), 1024],
    ['100 KB', () => prompt100k(), 100 * 1024],
  ])('%s body is within 1%% of its size', (_n, make, size) => {
    const len = Buffer.byteLength(JSON.stringify(make()));
    expect(Math.abs(len - size)).toBeLessThanOrEqual(size * 0.01);
  });
});
