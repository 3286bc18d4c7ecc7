// The floor: a bare pass-through proxy (node:http in, undici pool out). No policy, no JSON parsing: request bodies
// are forwarded as one buffer, JSON answers as one buffer with content-length, SSE answers streamed chunk by chunk.
// Run as a child process with --upstream=URL; prints one JSON line {"url"} on stdout when it listens.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const upstream = args.upstream;
if (!upstream) throw new Error('bare-proxy: --upstream=URL is required');
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
// Hop-by-hop headers are never forwarded (RFC 9110 §7.6.1); lengths are recomputed.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'host', 'content-length']);

const readAll = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const server = createServer(async (req, res) => {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
  try {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readAll(req);
    const up = await request(`${upstream}${req.url}`, { method: req.method, headers, body, dispatcher: agent });
    const out = {};
    for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) out[k] = v;
    if (String(up.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      res.writeHead(up.statusCode, out);
      for await (const c of up.body) res.write(c);
      res.end();
      return;
    }
    const payload = Buffer.from(await up.body.arrayBuffer());
    out['content-length'] = payload.length;
    res.writeHead(up.statusCode, out);
    res.end(payload);
  } catch {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Upstream could not be reached.', type: 'upstream_error', param: null, code: 'upstream_unreachable' } }));
    } else res.destroy();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => void agent.close().then(() => process.exit(0))));
