// Upstream client: pooled undici connections to OpenAI-compatible targets, with connect, first-byte and total timeouts.
import { Agent, request } from 'undici';
import type { CancelSignal } from './client-signal.js';

/** Per-attempt timeouts in milliseconds. */
export interface UpstreamTimeouts {
  connectMs: number;
  firstByteMs: number;
  totalMs: number;
}

/** Default timeouts when a target sets none. */
export const DEFAULT_TIMEOUTS: UpstreamTimeouts = { connectMs: 5_000, firstByteMs: 60_000, totalMs: 600_000 };

/** An upstream answer whose body is still streaming. */
export interface UpstreamStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as it arrives (SSE); created on first use. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Reads the whole body, refusing one larger than `limit` bytes. */
  read(limit: number): Promise<Buffer>;
  /** Stops reading and releases the connection. */
  abort(): void;
}

/** Why an upstream attempt failed without an HTTP answer. */
export type UpstreamFailure = 'timeout' | 'connection_error';

/** An error from the transport, classified for fallback. */
export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamFailure,
    /** A short code safe to show (never a URL with credentials, never a key). */
    readonly code: string,
  ) {
    super(`${kind} (${code})`);
  }
}

/** Classifies an undici / abort error. `clientAborted` wins: the client went away. */
export function classifyUpstreamError(e: unknown): UpstreamError {
  if (e instanceof UpstreamError) return e;
  const err = e as { code?: string; name?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? err.name ?? 'error';
  if (/TIMEOUT/i.test(code) || err.name === 'TimeoutError') return new UpstreamError('timeout', code);
  return new UpstreamError('connection_error', code);
}

/**
 * The abort signal undici watches for one attempt: EventEmitter-shaped (undici accepts those), so an attempt costs no
 * AbortController. It fires once, for the total timeout or the client's disconnect, whichever comes first.
 */
class AttemptSignal {
  aborted = false;
  reason: unknown = undefined;
  private listener?: () => void;

  once(_event: 'abort', listener: () => void): void {
    this.listener = listener;
  }

  /** undici checks for `on` to recognise an EventEmitter; listeners are one-shot here either way. */
  on(event: 'abort', listener: () => void): void {
    this.once(event, listener);
  }

  removeListener(): void {
    this.listener = undefined;
  }

  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const l = this.listener;
    this.listener = undefined;
    l?.();
  }
}

/** A body stream as undici returns it (a Readable), reduced to what is used here. */
interface BodyReadable extends AsyncIterable<Uint8Array> {
  on(event: 'data', fn: (c: Buffer) => void): this;
  on(event: 'end' | 'close', fn: () => void): this;
  on(event: 'error', fn: (e: Error) => void): this;
  destroy(e?: Error): void;
}

/**
 * One attempt's answer. A class, not an object literal: a literal with a getter made V8 build a fresh hidden class
 * for every request (about 2.6 KB promoted to the old generation per request, twice the scavenge work of a plain
 * undici request).
 */
class Answer implements UpstreamStream {
  private iterable?: AsyncIterable<Uint8Array>;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    private readonly open: () => AsyncIterable<Uint8Array>,
    readonly read: (limit: number) => Promise<Buffer>,
    readonly abort: () => void,
  ) {}

  get body(): AsyncIterable<Uint8Array> {
    return (this.iterable ??= this.open());
  }
}

/** Sends requests to upstreams over shared keep-alive connection pools (one per connect timeout). */
export class UpstreamClient {
  private readonly agents = new Map<number, Agent>();
  private readonly urls = new Map<string, { origin: string; path: string }>();

  private agent(connectMs: number): Agent {
    let a = this.agents.get(connectMs);
    if (!a) {
      a = new Agent({ keepAliveTimeout: 30_000, connections: 256, connect: { timeout: connectMs } });
      this.agents.set(connectMs, a);
    }
    return a;
  }

  /** Origin and path of `url`, parsed once per distinct URL (a pack has a handful). */
  private split(url: string): { origin: string; path: string } {
    let u = this.urls.get(url);
    if (!u) {
      const parsed = new URL(url);
      u = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (this.urls.size < 1000) this.urls.set(url, u);
    }
    return u;
  }

  /**
   * POSTs `body` (serialized JSON, as text or UTF-8 bytes) to `url` and resolves once the response headers arrived.
   * The body is returned as a stream; the total timeout and `signal` keep applying while it is read.
   */
  async post(url: string, body: string | Buffer, headers: Record<string, string>, timeouts: UpstreamTimeouts, signal?: CancelSignal): Promise<UpstreamStream> {
    const abort = new AttemptSignal();
    const total = setTimeout(() => abort.fire(new UpstreamError('timeout', 'total_timeout')), timeouts.totalMs);
    total.unref?.();
    const onClientAbort = (): void => abort.fire(signal?.reason);
    if (signal?.aborted) onClientAbort();
    else signal?.addEventListener('abort', onClientAbort, { once: true });
    let cleaned = false;
    const cleanup = (): void => {
      if (cleaned) return;
      cleaned = true;
      clearTimeout(total);
      signal?.removeEventListener('abort', onClientAbort);
    };
    const failure = (e: unknown): UpstreamError => (abort.reason instanceof UpstreamError ? abort.reason : classifyUpstreamError(e));
    const { origin, path } = this.split(url);
    let res;
    try {
      res = await this.agent(timeouts.connectMs).request({
        origin,
        path,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        signal: abort,
        headersTimeout: timeouts.firstByteMs,
        bodyTimeout: timeouts.firstByteMs,
      });
    } catch (e) {
      cleanup();
      throw failure(e);
    }
    const stream = res.body as unknown as BodyReadable;
    return new Answer(
      res.statusCode,
      res.headers,
      async function* iterate(): AsyncIterable<Uint8Array> {
        try {
          for await (const c of stream) yield c;
        } catch (e) {
          throw failure(e);
        } finally {
          cleanup();
        }
      },
      (limit) =>
        new Promise<Buffer>((resolve, reject) => {
          const chunks: Buffer[] = [];
          let size = 0;
          let settled = false;
          const settle = (e?: Error): void => {
            if (settled) return;
            settled = true;
            cleanup();
            if (e) reject(e);
            else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
          };
          stream.on('data', (c) => {
            if (settled) return;
            size += c.length;
            if (size > limit) {
              const err = new UpstreamError('connection_error', 'response_too_large');
              settle(err);
              stream.destroy(err);
              return;
            }
            chunks.push(c);
          });
          stream.on('end', () => settle());
          stream.on('error', (e) => settle(failure(e)));
          // Destroyed without an error (aborted from outside): not a complete body.
          stream.on('close', () => {
            if (!settled) settle(failure(abort.reason ?? new UpstreamError('connection_error', 'closed')));
          });
        }),
      () => {
        cleanup();
        stream.destroy();
      },
    );
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
  }
}
