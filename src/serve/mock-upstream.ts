// A built-in OpenAI-compatible upstream on loopback: the embedded default for demos, tests and benchmarks.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the mock received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A scripted answer for the next request (fault injection for tests). */
export type ScriptedReply =
  | { status: number; error?: { message: string; type: string; code: string | null }; retryAfter?: number }
  | { delayMs: number }
  | { reply: (req: IncomingMessage, res: ServerResponse, body: unknown) => void };

/** Options of {@link startMockUpstream}. */
export interface MockUpstreamOptions {
  host?: string;
  port?: number;
  /** Keep every request in `requests` (tests); off for benchmarks. */
  record?: boolean;
  /** Fixed reply text instead of the echo. */
  fixedReply?: string;
  /** Number of SSE content chunks a streamed answer is split into (default: one per word). */
  streamChunks?: number;
}

/** A running mock upstream. */
export interface MockUpstream {
  url: string;
  requests: RecordedRequest[];
  /** Replies used, in order, before the default behaviour. */
  script: ScriptedReply[];
  close(): Promise<void>;
  server: Server;
}

/** The text the mock answers with: a short echo of the last user message. */
export function mockReplyText(body: { messages?: Array<{ role?: string; content?: unknown }> }): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const lastUser = [...messages].reverse().find((m) => m?.role === 'user');
  let text = '';
  if (typeof lastUser?.content === 'string') text = lastUser.content;
  else if (Array.isArray(lastUser?.content)) {
    text = lastUser.content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join(' ');
  }
  return `Hello from the ktpack mock upstream. You said: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Starts the mock on `host:port` (default 127.0.0.1:0) and resolves when it listens. */
export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const script: ScriptedReply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown = undefined;
      const raw = Buffer.concat(chunks).toString('utf8');
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          sendJson(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
          return;
        }
      }
      const path = (req.url ?? '/').split('?')[0];
      if (options.record !== false) requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      void handle(req, res, path, body);
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string, body: unknown): Promise<void> => {
    let next = script.shift();
    while (next && 'delayMs' in next) {
      await new Promise((r) => setTimeout(r, (next as { delayMs: number }).delayMs));
      next = script.shift();
    }
    if (next && 'reply' in next) return next.reply(req, res, body);
    if (next && 'status' in next) {
      const headers: Record<string, string> = {};
      if (next.retryAfter !== undefined) headers['retry-after'] = String(next.retryAfter);
      sendJson(res, next.status, { error: { param: null, ...(next.error ?? { message: `mock error ${next.status}`, type: next.status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null }) } }, headers);
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: ['gpt-4o', 'gpt-4o-mini'].map((id) => ({ id, object: 'model', created: 1715367049, owned_by: 'system' })),
      });
      return;
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      const b = (body ?? {}) as { model?: string; messages?: unknown[]; stream?: boolean; stream_options?: { include_usage?: boolean }; n?: number };
      if (!Array.isArray(b.messages)) {
        sendJson(res, 400, { error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' } });
        return;
      }
      const text = options.fixedReply ?? mockReplyText(b as Parameters<typeof mockReplyText>[0]);
      const model = b.model ?? 'gpt-4o';
      const promptTokens = countTokens(JSON.stringify(b.messages));
      const completionTokens = countTokens(text);
      const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
      const id = `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
      const created = Math.floor(Date.now() / 1000);
      const n = Math.max(1, Math.min(8, Number(b.n ?? 1) || 1));
      if (b.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_ktpack_mock' };
        const words = splitForStream(text, options.streamChunks);
        for (let c = 0; c < n; c++) {
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: c, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] })}\n\n`);
        }
        for (const w of words) {
          for (let c = 0; c < n; c++) {
            res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: c, delta: { content: w }, logprobs: null, finish_reason: null }] })}\n\n`);
          }
        }
        for (let c = 0; c < n; c++) {
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: c, delta: {}, logprobs: null, finish_reason: 'stop' }] })}\n\n`);
        }
        if (b.stream_options?.include_usage) {
          res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: { ...usage, completion_tokens: completionTokens * n, total_tokens: promptTokens + completionTokens * n } })}\n\n`);
        }
        res.end('data: [DONE]\n\n');
        return;
      }
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_ktpack_mock',
        choices: Array.from({ length: n }, (_, index) => ({
          index,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        })),
        usage: { ...usage, completion_tokens: completionTokens * n, total_tokens: promptTokens + completionTokens * n },
      });
      return;
    }
    sendJson(res, 404, { error: { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', param: null, code: null } });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/v1`,
    requests,
    script,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function splitForStream(text: string, chunks?: number): string[] {
  if (!chunks) return text.match(/\S+\s*/g) ?? [text];
  const size = Math.ceil(text.length / chunks);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-request-id': `req_${randomUUID().replace(/-/g, '')}`, ...headers });
  res.end(payload);
}
