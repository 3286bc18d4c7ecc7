// Preload for Portkey's gateway: binds its server to 127.0.0.1 (it has no host option) and reports the real port.
// Used as `node --import ./portkey-loopback.mjs .../start-server.js --port=0 --headless`; prints {"url"} on stderr.
// Also gives it fetch() Responses with mutable headers, without which its streaming fails on Node (see below).
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function patchedListen(...args) {
  // @hono/node-server calls listen(port, hostname?, cb); force loopback whatever it passes.
  if (typeof args[0] === 'number') {
    const cb = args.find((a) => typeof a === 'function');
    args = cb ? [args[0], '127.0.0.1', cb] : [args[0], '127.0.0.1'];
  }
  this.once('listening', () => {
    const addr = this.address();
    if (addr && typeof addr === 'object') process.stderr.write(`\nKTPACK_BENCH_LISTENING ${JSON.stringify({ url: `http://127.0.0.1:${addr.port}` })}\n`);
  });
  return listen.apply(this, args);
};

// Portkey appends its own headers (trace id, retry count) to the upstream's Response. On Node, a Response from
// fetch() has immutable headers, so every streamed answer failed with "TypeError: immutable" and an HTTP 500
// (on Cloudflare Workers, its home, it works). Hand it Responses with mutable headers, as Workers would.
const fetchFromNode = globalThis.fetch;
globalThis.fetch = async function fetchWithMutableHeaders(...args) {
  const res = await fetchFromNode(...args);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: new Headers(res.headers) });
};
