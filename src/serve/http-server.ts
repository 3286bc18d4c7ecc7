// node:http adapter: reads bodies with a size limit, calls the proxy core, writes its answer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openAiError } from './openai-errors.js';
import type { ProxyCore } from './proxy-core.js';

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  host: string;
  port: number;
  /** Requests with larger bodies get 413 (default 4 MiB). */
  maxBodyBytes?: number;
}

/** A listening server. */
export interface RunningServer {
  server: Server;
  /** `http://host:port` as bound. */
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP adapter around `core`. */
export async function startHttpServer(core: ProxyCore, options: HttpServerOptions): Promise<RunningServer> {
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const declared = Number(req.headers['content-length'] ?? 0);
    const reject413 = (): void => {
      tooLarge = true;
      const body = JSON.stringify(openAiError(`Request body is larger than the limit of ${maxBody} bytes.`, 'invalid_request_error', 'request_too_large'));
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(body);
      req.resume();
    };
    if (declared > maxBody) return reject413();
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > maxBody) return reject413();
      chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return;
      core
        .handle({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) })
        .then((out) => {
          res.writeHead(out.status, { ...out.headers, 'content-length': Buffer.byteLength(out.body) });
          res.end(out.body);
        })
        .catch(() => {
          // Internal error: never leak details (they may include request text).
          const body = JSON.stringify(openAiError('Internal gateway error.', 'server_error', 'internal_error'));
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(body);
        });
    });
  });
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
