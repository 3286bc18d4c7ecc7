// node:http adapter: body limits, timeouts, client-disconnect aborts, SSE writing with backpressure, graceful drain.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ClientSignal } from './client-signal.js';
import { openAiError } from './openai-errors.js';
import { newRequestId, type ProxyCore, type ProxyRequest, type ProxyResponse } from './proxy-core.js';

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  host: string;
  port: number;
  /** Requests with larger bodies get 413 (default 4 MiB); read per request so a reload can change it. */
  maxBodyBytes?: () => number;
  /** A client must send all headers within this time (default 15 s). */
  headersTimeoutMs?: number;
  /** A client must send the whole request within this time (default 60 s). */
  requestTimeoutMs?: number;
}

/** A listening server. */
export interface RunningServer {
  server: Server;
  /** `http://host:port` as bound. */
  url: string;
  /** Stops accepting, waits up to `graceMs` for in-flight requests and streams, then closes. */
  close(graceMs?: number): Promise<void>;
}

function errorBody(status: number, message: string, code: string): string {
  const type = status === 413 || status === 400 || status === 408 ? 'invalid_request_error' : 'server_error';
  return JSON.stringify(openAiError(message, type, code));
}

/** Starts the HTTP adapter around `core`. */
export async function startHttpServer(core: ProxyCore, options: HttpServerOptions): Promise<RunningServer> {
  const limit = options.maxBodyBytes ?? (() => 4 * 1024 * 1024);
  let active = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  const settle = (): void => {
    active--;
    if (draining && active === 0) drained?.();
  };

  const headersTimeout = options.headersTimeoutMs ?? 15_000;
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  // Node checks header and request timeouts on this interval; keep it well under the timeouts.
  const server = createServer({ connectionsCheckingInterval: Math.max(50, Math.min(headersTimeout, requestTimeout) / 4) }, (req, res) => {
    active++;
    res.once('close', settle);
    if (draining) res.setHeader('connection', 'close');
    handleRequest(req, res).catch(() => {
      // Internal error: never leak details (they may include request text).
      if (!res.headersSent) {
        const body = errorBody(500, 'Internal gateway error.', 'internal_error');
        const id = newRequestId();
        core.recordRefused(id, 500, 'internal_error');
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': id });
        res.end(body);
      } else res.destroy();
    });
  });
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const pending = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    // A body that never completes times out after its headers were parsed: a response exists but nothing
    // was written yet, so it still gets its 408. Any other error on a live response just closes it.
    if (!socket.writable || (pending && !(timeout && !pending.headersSent))) {
      socket.destroy();
      return;
    }
    const [status, phrase, code, message] = timeout
      ? [408, 'Request Timeout', 'request_timeout', 'The request was not received in time.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large.']
        : [400, 'Bad Request', 'bad_request', 'Malformed HTTP request.'];
    const body = errorBody(status === 408 ? 408 : 400, message, code);
    // Its x-request-id names an audit record, as every other answer's does.
    const id = newRequestId();
    core.recordRefused(id, status, code);
    socket.end(`HTTP/1.1 ${status} ${phrase}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\nconnection: close\r\n\r\n${body}`);
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const maxBody = limit();
    let body: Buffer | 'too_large' | 'aborted' | undefined = await readBody(req, maxBody);
    if (body === 'aborted') return;
    const tooLarge = body === 'too_large';
    // The rest of an oversized body is not read: the connection cannot be reused.
    if (tooLarge) res.setHeader('connection', 'close');
    const signal = new ClientSignal();
    res.once('close', () => {
      if (!res.writableFinished) signal.abort(new Error('client disconnected'));
    });
    const request: ProxyRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: body instanceof Buffer ? body : EMPTY,
      ...(tooLarge ? { bodyTooLarge: maxBody } : {}),
      remoteAddress: req.socket.remoteAddress,
      signal,
    };
    // The core lets go of the body once it is parsed; this frame must not keep it (locals outlive awaits).
    body = undefined;
    const out = await core.handle(request);
    await writeResponse(res, out, signal);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    close: async (graceMs = 30_000) => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, graceMs).unref();
        });
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

const EMPTY = Buffer.alloc(0);

/**
 * An oversized body is still read (and dropped) up to this many bytes before the 413 is sent: a client answered and
 * cut off while it is still sending sees a connection reset, not the 413 (the OpenAI SDK then reports a connection
 * error and retries the whole body). Past this the gateway answers at once and closes.
 */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;

/** Reads the body, refusing one larger than `limit` without buffering it. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: Buffer | 'too_large' | 'aborted'): void => {
      if (!done) resolve(v);
      done = true;
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    let over = declared > limit;
    if (declared > DISCARD_MAX_BYTES) {
      req.resume();
      return finish('too_large');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (!over && size > limit) {
        over = true;
        chunks.length = 0;
      }
      if (!over) chunks.push(c);
      else if (size > DISCARD_MAX_BYTES) finish('too_large');
    });
    req.on('end', () => finish(over ? 'too_large' : Buffer.concat(chunks)));
    req.on('aborted', () => finish('aborted'));
    req.on('error', () => finish('aborted'));
  });
}

/** Writes a whole body, or streams SSE events honouring backpressure until the client leaves. */
async function writeResponse(res: ServerResponse, out: ProxyResponse, signal: ClientSignal): Promise<void> {
  if (!out.stream) {
    res.writeHead(out.status, { ...out.headers, 'content-length': Buffer.byteLength(out.body) });
    res.end(out.body);
    return;
  }
  res.writeHead(out.status, out.headers);
  res.flushHeaders();
  for await (const event of out.stream) {
    if (signal.aborted || res.destroyed) continue;
    if (!res.write(event)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end();
}
