// The floor: a bare pass-through proxy (node:http in, undici pool out, bodies streamed both ways, no parsing).
// Run as a child process with --upstream=URL; prints one JSON line {"url"} on stdout when it listens.
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const upstream = args.upstream;
if (!upstream) throw new Error('bare-proxy: --upstream=URL is required');
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
// Hop-by-hop headers are never forwarded (RFC 9110 §7.6.1).
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'host']);

const server = createServer(async (req, res) => {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
  try {
    const up = await request(`${upstream}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req,
      dispatcher: agent,
    });
    const out = {};
    for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode, out);
    await pipeline(up.body, res);
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
