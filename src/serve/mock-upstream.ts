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

/** Faults a streamed (or plain) answer can suffer. */
export type StreamFault =
  /** Sends a few chunks, then destroys the connection. */
  | 'reset-mid-stream'
  /** Sends a chunk that is not JSON. */
  | 'malformed-sse'
  /** Keeps sending chunks until the client goes away. */
  | 'never-ending'
  /** Sends headers, then nothing. */
  | 'hang'
  /** Ends the stream cleanly but without `[DONE]`. */
  | 'no-done';

/** A scripted answer for the next request (fault injection for tests). */
export type ScriptedReply =
  | { status: number; error?: { message: string; type: string; code: string | null }; retryAfter?: number }
  | { delayMs: number }
  | { reply: (req: IncomingMessage, res: ServerResponse, body: unknown) => void }
  /** Answer normally, with this text (split into `chunks` pieces when streamed), a fault and/or a delay between chunks. */
  | { text?: string; chunks?: string[]; fault?: StreamFault; chunkDelayMs?: number };

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
      req.resume();
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
    if (req.method === 'POST' && path === '/v1/embeddings') {
      const b = (body ?? {}) as { model?: string; input?: unknown };
      const inputs = typeof b.input === 'string' ? [b.input] : Array.isArray(b.input) ? b.input : [];
      const tokens = inputs.reduce((n: number, t) => n + countTokens(String(t)), 0);
      sendJson(res, 200, {
        object: 'list',
        data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.0123, -0.0456, 0.0789] })),
        model: b.model ?? 'text-embedding-3-small',
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      });
      return;
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      const b = (body ?? {}) as { model?: string; messages?: unknown[]; stream?: boolean; stream_options?: { include_usage?: boolean }; n?: number; tools?: Array<{ function?: { name?: string } }>; tool_choice?: unknown };
      if (!Array.isArray(b.messages)) {
        sendJson(res, 400, { error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' } });
        return;
      }
      const plan = next && !('status' in next) && !('reply' in next) && !('delayMs' in next) ? next : {};
      const text = plan.chunks?.join('') ?? plan.text ?? options.fixedReply ?? mockReplyText(b as Parameters<typeof mockReplyText>[0]);
      const toolName = Array.isArray(b.tools) && b.tools.length > 0 && b.tool_choice !== 'none' ? (b.tools[0]?.function?.name ?? 'tool') : undefined;
      const model = b.model ?? 'gpt-4o';
      const promptTokens = countTokens(JSON.stringify(b.messages));
      const completionTokens = countTokens(text);
      const n = Math.max(1, Math.min(8, Number(b.n ?? 1) || 1));
      const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens * n, total_tokens: promptTokens + completionTokens * n, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } };
      const id = `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
      const created = Math.floor(Date.now() / 1000);
      const args = toolName ? JSON.stringify({ text }) : '';
      const callId = `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
      if (b.stream) {
        const includeUsage = b.stream_options?.include_usage === true;
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': `req_${randomUUID().replace(/-/g, '')}` });
        if (plan.fault === 'hang') return;
        const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_ktpack_mock', ...(includeUsage ? { usage: null } : {}) };
        const send = (choices: unknown[]): void => void res.write(`data: ${JSON.stringify({ ...base, choices })}\n\n`);
        const pieces = toolName ? splitForStream(args, plan.chunks?.length ?? 6) : (plan.chunks ?? splitForStream(text, options.streamChunks));
        const pause = (): Promise<void> => (plan.chunkDelayMs ? new Promise((r) => setTimeout(r, plan.chunkDelayMs)) : Promise.resolve());
        let closed = false;
        res.on('close', () => (closed = true));
        for (let c = 0; c < n; c++) {
          const first = toolName
            ? { role: 'assistant', content: null, tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: toolName, arguments: '' } }], refusal: null }
            : { role: 'assistant', content: '', refusal: null };
          send([{ index: c, delta: first, logprobs: null, finish_reason: null }]);
        }
        if (plan.fault === 'never-ending') {
          while (!closed) {
            send([{ index: 0, delta: { content: 'and on ' }, logprobs: null, finish_reason: null }]);
            await new Promise((r) => setTimeout(r, plan.chunkDelayMs ?? 20));
          }
          return;
        }
        for (let i = 0; i < pieces.length; i++) {
          if (closed) return;
          if (plan.fault === 'reset-mid-stream' && i === Math.floor(pieces.length / 2)) {
            res.socket?.destroy();
            return;
          }
          if (plan.fault === 'malformed-sse' && i === Math.floor(pieces.length / 2)) res.write('data: {"id": "chatcmpl-broken", "choices": [\n\n');
          for (let c = 0; c < n; c++) {
            const delta = toolName ? { tool_calls: [{ index: 0, function: { arguments: pieces[i] } }] } : { content: pieces[i] };
            send([{ index: c, delta, logprobs: null, finish_reason: null }]);
          }
          await pause();
        }
        for (let c = 0; c < n; c++) send([{ index: c, delta: {}, logprobs: null, finish_reason: toolName ? 'tool_calls' : 'stop' }]);
        if (includeUsage) res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
        if (plan.fault === 'no-done') return void res.end();
        res.end('data: [DONE]\n\n');
        return;
      }
      if (plan.fault === 'hang') return;
      if (plan.fault === 'reset-mid-stream') {
        res.socket?.destroy();
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
          message: toolName
            ? { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: toolName, arguments: args } }], refusal: null }
            : { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: toolName ? 'tool_calls' : 'stop',
        })),
        usage,
        service_tier: 'default',
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
