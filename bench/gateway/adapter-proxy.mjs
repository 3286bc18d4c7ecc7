// Diagnostic: ktpack's own HTTP adapter and upstream client around a pass-through core (no JSON work, no policy,
// no audit), to split ktpack's overhead over the bare proxy into adapter + client vs proxy core.
// Run as a child process with --upstream=URL; prints one JSON line {"url"} on stdout when it listens.
import { startHttpServer } from '../../dist/serve/http-server.js';
import { DEFAULT_TIMEOUTS, UpstreamClient } from '../../dist/serve/upstream.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const upstream = new UpstreamClient();
const core = {
  inFlight: 0,
  recordRefused() {},
  async handle(req) {
    const up = await upstream.post(`${args.upstream}${req.path}`, req.body.toString('utf8'), { 'x-request-id': 'x', accept: 'application/json' }, DEFAULT_TIMEOUTS, req.signal);
    const body = await up.read(64 * 1024 * 1024);
    return { status: up.status, headers: { 'content-type': 'application/json', 'x-request-id': 'x' }, body: body.toString('utf8') };
  },
};
const http = await startHttpServer(core, { host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: http.url })}\n`);
process.on('SIGTERM', () => http.close(100).then(() => upstream.close()).then(() => process.exit(0)));
