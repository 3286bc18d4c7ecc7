// Upstream client: pooled undici connections to OpenAI-compatible targets.
import { Agent, request } from 'undici';

/** An upstream answer, body fully read. */
export interface UpstreamReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends requests to upstreams over a shared keep-alive connection pool. */
export class UpstreamClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

  /** POSTs `body` (already serialized JSON) to `${baseUrl}${path}`. */
  async postJson(baseUrl: string, path: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<UpstreamReply> {
    const res = await request(`${baseUrl}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      dispatcher: this.agent,
      signal,
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c as Buffer);
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}
