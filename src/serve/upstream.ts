// Upstream client: pooled undici connections to OpenAI-compatible targets, with connect, first-byte and total timeouts.
import { Agent, request } from 'undici';

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
  body: AsyncIterable<Uint8Array>;
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

/** Sends requests to upstreams over shared keep-alive connection pools (one per connect timeout). */
export class UpstreamClient {
  private readonly agents = new Map<number, Agent>();

  private agent(connectMs: number): Agent {
    let a = this.agents.get(connectMs);
    if (!a) {
      a = new Agent({ keepAliveTimeout: 30_000, connections: 256, connect: { timeout: connectMs } });
      this.agents.set(connectMs, a);
    }
    return a;
  }

  /**
   * POSTs `body` (serialized JSON) to `url` and resolves once the response headers arrived.
   * The body is returned as a stream; the total timeout and `signal` keep applying while it is read.
   */
  async post(url: string, body: string, headers: Record<string, string>, timeouts: UpstreamTimeouts, signal?: AbortSignal): Promise<UpstreamStream> {
    const controller = new AbortController();
    const total = setTimeout(() => controller.abort(new UpstreamError('timeout', 'total_timeout')), timeouts.totalMs);
    total.unref?.();
    const onAbort = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(total);
      signal?.removeEventListener('abort', onAbort);
    };
    try {
      const res = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        dispatcher: this.agent(timeouts.connectMs),
        signal: controller.signal,
        headersTimeout: timeouts.firstByteMs,
        bodyTimeout: timeouts.firstByteMs,
      });
      const stream = res.body;
      async function* iterate(): AsyncIterable<Uint8Array> {
        try {
          for await (const c of stream) yield c as Uint8Array;
        } catch (e) {
          throw controller.signal.reason instanceof UpstreamError ? controller.signal.reason : classifyUpstreamError(e);
        } finally {
          cleanup();
        }
      }
      return {
        status: res.statusCode,
        headers: res.headers,
        body: iterate(),
        abort: () => {
          cleanup();
          stream.destroy();
        },
      };
    } catch (e) {
      cleanup();
      throw controller.signal.reason instanceof UpstreamError ? controller.signal.reason : classifyUpstreamError(e);
    }
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
  }
}

/** Reads a whole body, refusing one larger than `limit` bytes. */
export async function readAll(body: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > limit) throw new UpstreamError('connection_error', 'response_too_large');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
