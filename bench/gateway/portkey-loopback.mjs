// Preload for Portkey's gateway: binds its server to 127.0.0.1 (it has no host option) and reports the real port.
// Used as `node --import ./portkey-loopback.mjs .../start-server.js --port=0 --headless`; prints {"url"} on fd 3-free stderr.
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
