// Load generator, run as its own process: closed-loop (fixed concurrency), open-loop (fixed rate) and streaming
// (time to first byte, inter-chunk delay). Latencies are taken with a microsecond clock (autocannon rounds to 1 ms,
// too coarse for a 1 ms budget). Every loop is bounded by a request count and a time limit.
// Usage: node load-driver.mjs '<job JSON>'; prints one JSON result line on stdout.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const job = JSON.parse(process.argv[2]);
const { origin, pathname } = new URL(job.url);
const pool = new Pool(origin, { connections: job.connections ?? job.concurrency ?? 64, pipelining: 1, keepAliveTimeout: 60_000 });
// Every `@@N@@` in the body becomes the request's own number, so no two requests carry the same text: a gateway
// that caches detector results per text (as ktpack does for repeated chat history) gets no cache hits here.
const VARY = '@@N@@';
const varies = job.body.includes(VARY);
let serial = 0;
const nextBody = () => (varies ? job.body.replaceAll(VARY, String(++serial)) : job.body);
const headers = { 'content-type': 'application/json', ...(job.headers ?? {}) };

/** One non-streaming request; resolves with its status (the body is read fully). */
async function once() {
  const res = await pool.request({ path: pathname, method: 'POST', headers, body: nextBody() });
  let bytes = 0;
  for await (const c of res.body) bytes += c.length;
  return { status: res.statusCode, bytes };
}

/** Percentiles (µs) of a list of latencies in ms. */
function summarize(lat) {
  const s = Float64Array.from(lat).sort();
  const at = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN);
  return { count: s.length, p50: at(50), p90: at(90), p99: at(99), max: s.length ? s[s.length - 1] : NaN, mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN };
}

/** Raw lists (rounded to µs) when the caller merges slices itself, else summaries. */
function latencies(lists) {
  const out = {};
  for (const [k, v] of Object.entries(lists)) out[k] = job.raw ? v.map((x) => Math.round(x * 1000) / 1000) : summarize(v);
  return out;
}

const errors = { count: 0, statuses: {} };
const noteStatus = (status) => {
  if (status >= 200 && status < 300) return true;
  errors.count++;
  errors.statuses[status] = (errors.statuses[status] ?? 0) + 1;
  return false;
};

async function closed() {
  // Warm-up (JIT on both sides, pooled connections) at the same concurrency; not recorded.
  const warm = await closedLoop(job.warmupSeconds ?? 0.3, Infinity, null);
  const lat = [];
  const started = performance.now();
  const sent = await closedLoop(job.maxSeconds, job.maxRequests, lat);
  const seconds = (performance.now() - started) / 1000;
  return { mode: 'closed', seconds, requests: sent, total: warm + sent, ok: lat.length, rps: lat.length / seconds, ...latencies({ latency: lat }) };
}

/** `concurrency` workers back to back until the count or the time runs out; records into `lat` unless null. */
async function closedLoop(maxSeconds, maxRequests, lat) {
  let sent = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  const worker = async () => {
    while (sent < maxRequests && performance.now() < deadline) {
      sent++;
      const t = performance.now();
      try {
        const r = await once();
        if (lat && noteStatus(r.status)) lat.push(performance.now() - t);
      } catch (e) {
        if (lat) noteStatus(`error:${e.code ?? e.name}`);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  return sent;
}

async function rate() {
  const warm = await rateLoop(job.warmupSeconds ?? 0.3, null);
  const lat = [];
  const started = performance.now();
  const { sent, dropped } = await rateLoop(job.seconds, lat);
  const seconds = (performance.now() - started) / 1000;
  return { mode: 'rate', targetRate: job.rate, seconds, requests: sent, total: warm.sent + sent, dropped, ok: lat.length, rps: lat.length / seconds, ...latencies({ latency: lat }) };
}

/** Open loop at `job.rate` for `seconds`: a slow target does not slow the generator; records into `lat` unless null. */
async function rateLoop(seconds, lat) {
  const total = Math.min(job.maxRequests ?? Infinity, Math.round(job.rate * seconds));
  const interval = 1000 / job.rate;
  const started = performance.now();
  const inflight = new Set();
  let i = 0;
  let dropped = 0;
  await new Promise((done) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && started + i * interval <= now) {
        i++;
        if (inflight.size >= (job.maxInFlight ?? 512)) {
          dropped++;
          continue;
        }
        const t = performance.now();
        const p = once()
          .then((r) => {
            if (lat && noteStatus(r.status)) lat.push(performance.now() - t);
          })
          .catch((e) => lat && noteStatus(`error:${e.code ?? e.name}`))
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      // Bounded: stop scheduling 5 s past the planned end even if the clock slipped.
      if (i < total && performance.now() - started < seconds * 1000 + 5000) setTimeout(tick, Math.max(0, started + i * interval - performance.now()));
      else Promise.all(inflight).then(done);
    };
    tick();
  });
  return { sent: i, dropped };
}

/** Streams one answer, timing the first content token and the gaps between content events. */
async function streamOnce(ttfb, gaps) {
  const t = performance.now();
  const res = await pool.request({ path: pathname, method: 'POST', headers, body: nextBody() });
  if (res.statusCode !== 200 || !String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    let text = '';
    for await (const c of res.body) text += c;
    return { ok: false, status: res.statusCode, text: text.slice(0, 300) };
  }
  let first = true;
  let last = 0;
  let buf = '';
  let done = false;
  for await (const c of res.body) {
    const now = performance.now();
    buf += c;
    let idx;
    while ((idx = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, idx);
      buf = buf.slice(idx + 2);
      if (!event.startsWith('data: ')) continue;
      if (event === 'data: [DONE]') {
        done = true;
        continue;
      }
      // Time to first token and gaps between tokens: only events that carry content count.
      let content = '';
      try {
        content = JSON.parse(event.slice(6)).choices?.[0]?.delta?.content ?? '';
      } catch {
        content = '';
      }
      if (!content) continue;
      if (first) {
        ttfb.push(now - t);
        first = false;
      } else gaps.push(now - last);
      last = now;
    }
  }
  return { ok: done, status: res.statusCode, text: done ? '' : 'stream ended without [DONE]' };
}

async function stream() {
  const ttfb = [];
  const gaps = [];
  const probe = await streamOnce([], []);
  if (!probe.ok) return { mode: 'stream', refused: { status: probe.status, body: probe.text } };
  for (let w = 0; w < 10; w++) await streamOnce([], []);
  const deadline = performance.now() + job.maxSeconds * 1000;
  let n = 0;
  const worker = async () => {
    while (n < job.maxRequests && performance.now() < deadline) {
      n++;
      const r = await streamOnce(ttfb, gaps).catch((e) => ({ ok: false, status: `error:${e.code ?? e.name}` }));
      if (!r.ok) noteStatus(r.status === 200 ? 'truncated' : r.status);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency ?? 1 }, worker));
  return { mode: 'stream', streams: n, total: n + 11, ok: ttfb.length, ...latencies({ ttfb, gap: gaps }) };
}

const run = { closed, rate, stream }[job.mode];
const result = await run();
await pool.close();
process.stdout.write(`${JSON.stringify({ ...result, errors })}\n`);
