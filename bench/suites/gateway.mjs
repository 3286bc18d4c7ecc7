// Gateway overhead suite: direct upstream, a bare proxy (the floor), ktpack serve (empty, seed, all policies) and
// Portkey's open-source gateway (plain and with local guardrails), measured interleaved in one run.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { writePacks } from '../gateway/packs.mjs';
import { canPin, ROOT, runLoad, startService } from '../gateway/processes.mjs';
import { selfTimeByArea, topSelfTime } from '../gateway/cpu-profile.mjs';
import { sampleRss } from '../gateway/rss-sampler.mjs';
import { prompt1k, prompt100k, promptInjection } from '../gateway/prompts.mjs';

export const title = 'Gateway overhead (ktpack serve vs bare proxy vs Portkey)';

const require = createRequire(import.meta.url);
const BIN = join(ROOT, 'bin/ktpack.js');
const PORTKEY = join(ROOT, 'node_modules/@portkey-ai/gateway/build/start-server.js');
// CPU plan on the 2-core box: the load generator has CPU 0 so it is never the bottleneck; the upstream and the
// gateway under test share CPU 1, so every microsecond the gateway spends shows up in throughput and latency.
const CPU_LOAD = 0;
const CPU_GATEWAY = 1;
const CPU_UPSTREAM = 1;
// The soak runs at half the seed chain's measured c32 throughput (within these bounds), so it measures memory
// growth, not a queue building up on a busy shared box.
const SOAK_RATE_MIN = 25;
const SOAK_RATE_MAX = 500;

/** Reads `--name=value` flags (numbers) from the runner's flag set. */
function flag(flags, name, fallback) {
  for (const f of flags) {
    const m = new RegExp(`^--${name}(?:=(.*))?$`).exec(f);
    if (m) return m[1] === undefined ? true : Number.isNaN(Number(m[1])) ? m[1] : Number(m[1]);
  }
  return fallback;
}

/** Percentile of a sorted Float64Array. */
const pct = (s, p) => (s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN);
const fmt = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const signed = (v, d = 2) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(d)}` : 'n/a');


/** Portkey config with local guardrails comparable to the seed chain (regex checks, deny on match). */
function portkeyGuardrails(upstream) {
  const injection = '[Ii]gnore (all |any )?(previous|prior|above) (instructions|rules)|[Dd]isregard (all |the )?(previous|prior|above)|[Yy]ou are now (DAN|in developer mode)|[Rr]eveal (your|the) (system prompt|instructions)';
  const pii = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}|\\b\\d{3}-\\d{2}-\\d{4}\\b|\\b(?:\\d[ -]?){13,16}\\b|\\+?\\d{1,3}[ .-]?\\(?\\d{3}\\)?[ .-]?\\d{3}[ .-]?\\d{4}';
  const check = (id, rule) => ({ [`default.regexMatch`]: { rule, not: true }, deny: true, id });
  return {
    provider: 'openai',
    api_key: 'sk-bench-not-a-real-key',
    custom_host: `${upstream}/v1`,
    input_guardrails: [check('no-injection', injection), check('no-pii-in', pii)],
    output_guardrails: [check('no-pii-out', pii)],
  };
}

/** Sends one request and returns status + parsed body (probe of each target before timing it). */
async function probe(url, headers, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Merges the raw latency lists of several slices of the same target and scenario. */
function merge(slices, key = 'latency') {
  const all = slices.flatMap((s) => s[key] ?? []);
  const sorted = Float64Array.from(all).sort();
  const ok = slices.reduce((a, s) => a + (s.ok ?? 0), 0);
  const seconds = slices.reduce((a, s) => a + (s.seconds ?? 0), 0);
  const errors = slices.reduce((a, s) => a + (s.errors?.count ?? 0), 0);
  return { count: sorted.length, p50: pct(sorted, 50), p99: pct(sorted, 99), rps: seconds ? ok / seconds : NaN, errors };
}

export async function run(ctx) {
  const { flags, log } = ctx;
  const rounds = flag(flags, 'rounds', 2);
  const slice = flag(flags, 'slice', 1);
  const soakSeconds = Math.round(Number(flag(flags, 'soak', 0.5)) * 60);
  const profile = !flags.has('--no-profile');
  const pinned = canPin(os.cpus().length);
  const tmp = await mkdtemp(join(os.tmpdir(), 'ktpack-bench-gw-'));
  const services = [];
  const lines = [];
  try {
    const { files, allKinds } = await writePacks(tmp);
    const start = async (name, args, opts) => {
      const s = await startService(name, args, opts);
      services.push(s);
      return s;
    };
    log(`gateway: starting upstream, bare proxy, ktpack serve ×3, Portkey${pinned ? ' (pinned: load CPU 0, upstream + gateway CPU 1)' : ' (not pinned)'}`);
    const up = await start('upstream', [join(ROOT, 'bench/gateway/fake-upstream.mjs'), '--stream-chunks=60', '--stream-gap-ms=2', '--stream-chars=1200'], { cpu: CPU_UPSTREAM });
    const serveArgs = (pack, dir) => [BIN, 'serve', pack, '--listen', '127.0.0.1:0', '--upstream', `${up.url}/v1`, '--audit-dir', join(tmp, dir)];
    const env = { OPENAI_API_KEY: 'sk-bench-not-a-real-key' };
    const bare = await start('bare proxy', [join(ROOT, 'bench/gateway/bare-proxy.mjs'), `--upstream=${up.url}`], { cpu: CPU_GATEWAY });
    const ktEmpty = await start('ktpack empty', serveArgs(files.empty, 'audit-empty'), { cpu: CPU_GATEWAY, env });
    const ktSeed = await start('ktpack seed', serveArgs(files.seed, 'audit-seed'), { cpu: CPU_GATEWAY, env });
    let ktAll;
    try {
      ktAll = await start('ktpack all', serveArgs(files.all, 'audit-all'), { cpu: CPU_GATEWAY, env });
    } catch (e) {
      log(`gateway: skipping "all policies" (${allKinds.join(', ')}): ${e.message.split('\n')[0]}`);
    }
    let portkey;
    try {
      portkey = await start('portkey', ['--import', join(ROOT, 'bench/gateway/portkey-loopback.mjs'), PORTKEY, '--port=0', '--headless'], { cpu: CPU_GATEWAY });
    } catch (e) {
      log(`gateway: skipping Portkey: ${e.message.split('\n')[0]}`);
    }
    const chat = '/v1/chat/completions';
    const targets = [
      { id: 'direct', label: 'direct to upstream', url: `${up.url}${chat}`, pid: up.pid },
      { id: 'bare', label: 'bare proxy (http + undici)', url: `${bare.url}${chat}`, pid: bare.pid },
      { id: 'kt-empty', label: 'ktpack serve, empty chain', url: `${ktEmpty.url}${chat}`, pid: ktEmpty.pid },
      { id: 'kt-seed', label: 'ktpack serve, seed chain', url: `${ktSeed.url}${chat}`, pid: ktSeed.pid },
    ];
    if (ktAll) targets.push({ id: 'kt-all', label: `ktpack serve, all policies (${allKinds.length})`, url: `${ktAll.url}${chat}`, pid: ktAll.pid });
    if (portkey) {
      targets.push({ id: 'portkey', label: 'Portkey gateway', url: `${portkey.url}${chat}`, pid: portkey.pid, headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${up.url}/v1`, authorization: 'Bearer sk-bench-not-a-real-key' } });
      targets.push({ id: 'portkey-gr', label: 'Portkey gateway + regex guardrails', url: `${portkey.url}${chat}`, pid: portkey.pid, headers: { 'x-portkey-config': JSON.stringify(portkeyGuardrails(up.url)) } });
    }

    // Probe: every target answers an OpenAI-shaped 200, and the guarded ones block an injection.
    const body1k = JSON.stringify(prompt1k());
    const body100k = JSON.stringify(prompt100k());
    for (const t of [...targets]) {
      const ok = await probe(t.url, t.headers, body1k);
      if (ok.status !== 200 || typeof ok.json?.choices?.[0]?.message?.content !== 'string') {
        log(`gateway: dropping ${t.label}: probe answered ${ok.status} ${ok.text.slice(0, 200)}`);
        targets.splice(targets.indexOf(t), 1);
        continue;
      }
      if (['kt-seed', 'kt-all', 'portkey-gr'].includes(t.id)) {
        const bad = await probe(t.url, t.headers, JSON.stringify(promptInjection()));
        t.blocks = bad.status;
        log(`gateway: ${t.label} answers an injection with HTTP ${bad.status}`);
      }
    }

    const scenarios = [
      { id: 'c1-1k', label: 'concurrency 1, 1 KB', job: { mode: 'closed', concurrency: 1, body: body1k, maxRequests: 50_000 } },
      { id: 'c32-1k', label: 'concurrency 32, 1 KB', job: { mode: 'closed', concurrency: 32, body: body1k, maxRequests: 200_000 } },
      { id: 'r1000-1k', label: '1,000 req/s, 1 KB', job: { mode: 'rate', rate: 1000, body: body1k } },
      { id: 'c1-100k', label: 'concurrency 1, 100 KB', job: { mode: 'closed', concurrency: 1, body: body100k, maxRequests: 50_000 } },
      { id: 'c32-100k', label: 'concurrency 32, 100 KB', job: { mode: 'closed', concurrency: 32, body: body100k, maxRequests: 200_000 } },
      { id: 'stream', label: 'stream, concurrency 1', job: { mode: 'stream', concurrency: 1, body: JSON.stringify({ ...prompt1k(), stream: true, stream_options: { include_usage: true } }), maxRequests: 2000 } },
    ];
    const results = new Map(); // `${target}|${scenario}` → slices
    const rssPeak = new Map(); // `${target}|${size}` → MiB
    const skipped = new Map();
    const started = Date.now();
    for (let round = 0; round < rounds; round++) {
      for (const sc of scenarios) {
        // Rotate the order each round so drift from other load on the box spreads over all targets.
        const order = targets.map((_, i) => targets[(i + round) % targets.length]);
        for (const t of order) {
          if (skipped.has(`${t.id}|${sc.id}`)) continue;
          const job = { ...sc.job, url: t.url, headers: t.headers, maxSeconds: slice, seconds: slice, raw: true };
          const rss = sampleRss(t.pid, 100);
          const r = await runLoad(job, { cpu: CPU_LOAD });
          const { peak, cpu } = rss.stop();
          const size = sc.id.endsWith('100k') ? '100k' : '1k';
          rssPeak.set(`${t.id}|${size}`, Math.max(rssPeak.get(`${t.id}|${size}`) ?? 0, peak));
          if (r.refused) {
            const reason = `HTTP ${r.refused.status}: ${r.refused.body.replace(/\s+/g, ' ').slice(0, 120)}`;
            skipped.set(`${t.id}|${sc.id}`, reason);
            log(`gateway: ${t.label}: ${sc.label} skipped, the gateway refused the stream (${reason})`);
            continue;
          }
          r.cpu = cpu;
          const key = `${t.id}|${sc.id}`;
          results.set(key, [...(results.get(key) ?? []), r]);
          const lat = sc.id === 'stream' ? r.ttfb : r.latency;
          log(`gateway: round ${round + 1} ${sc.label.padEnd(24)} ${t.label.padEnd(40)} ${fmt(r.rps ?? NaN, 0).padStart(6)} req/s  p50 ${fmt(pct(Float64Array.from(lat ?? []).sort(), 50), 3)} ms  ${fmt((1e6 * cpu) / r.total, 0)} µs CPU/req  errors ${r.errors?.count ?? 0}${r.errors?.count ? ` ${JSON.stringify(r.errors.statuses)}` : ''}`);
        }
      }
    }
    log(`gateway: measured in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    // Tables.
    const get = (t, s, key) => (results.has(`${t}|${s}`) ? merge(results.get(`${t}|${s}`), key) : undefined);
    // CPU per request of the target's own process (all threads), over every request it served in that scenario.
    const cpuPerReq = (t, s) => {
      const xs = results.get(`${t}|${s}`) ?? [];
      const n = xs.reduce((a, x) => a + x.total, 0);
      return n ? (1e6 * xs.reduce((a, x) => a + x.cpu, 0)) / n : NaN;
    };
    const present = targets.map((t) => t.id);
    lines.push(`Setup: fake OpenAI upstream (fixed answer, no delay; streamed answers of 1,200 characters in 60 chunks 2 ms apart) on loopback; load from a separate process (own undici-based driver, µs clock). ${pinned ? 'Pinned with `taskset`: the load generator alone on CPU 0; the upstream and the gateway under test share CPU 1 (the gateway\'s cost shows up directly; the generator is never the bottleneck).' : 'Not pinned (no taskset or one CPU).'} ${rounds} interleaved rounds of ${slice} s per target and scenario, target order rotated each round. Prompts: clean text (the allow path), 1 KB and 100 KB request bodies. CPU/request is the process's own user+system time (all threads, /proc) divided by the requests it served: the figure machine contention moves least. For "direct" it is the upstream's own cost.`);
    lines.push('');
    lines.push('| target | c1 1 KB p50 / p99 ms | c32 1 KB req/s | c32 1 KB p50 / p99 ms | 1,000 req/s 1 KB: achieved, p50 / p99 ms | c1 100 KB p50 / p99 ms | c32 100 KB req/s | CPU µs/req 1 KB / 100 KB | peak RSS MiB 1 KB / 100 KB | errors |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const t of targets) {
      const a = get(t.id, 'c1-1k');
      const b = get(t.id, 'c32-1k');
      const c = get(t.id, 'r1000-1k');
      const d = get(t.id, 'c1-100k');
      const e = get(t.id, 'c32-100k');
      const errs = [a, b, c, d, e].reduce((n, x) => n + (x?.errors ?? 0), 0);
      const sat = c && c.rps < 950 ? ' (saturated)' : '';
      lines.push(`| ${t.label} | ${fmt(a?.p50, 3)} / ${fmt(a?.p99, 3)} | ${fmt(b?.rps, 0)} | ${fmt(b?.p50)} / ${fmt(b?.p99)} | ${fmt(c?.rps, 0)}${sat}, ${fmt(c?.p50, 3)} / ${fmt(c?.p99, 3)} | ${fmt(d?.p50)} / ${fmt(d?.p99)} | ${fmt(e?.rps, 0)} | ${fmt(cpuPerReq(t.id, 'c32-1k'), 0)} / ${fmt(cpuPerReq(t.id, 'c32-100k'), 0)} | ${fmt(rssPeak.get(`${t.id}|1k`), 0)} / ${fmt(rssPeak.get(`${t.id}|100k`), 0)}${t.id === 'direct' ? ' (upstream)' : ''} | ${errs} |`);
    }
    lines.push('');
    lines.push('Latency added over direct, ms (per round: target percentile minus direct percentile from the same round; median over rounds), and cost relative to the bare proxy:');
    lines.push('');
    lines.push('| target | c1 1 KB p50 / p99 | 1,000 req/s 1 KB p50 / p99 | c1 100 KB p50 / p99 | c32 1 KB req/s vs bare | CPU/req vs bare, 1 KB / 100 KB |');
    lines.push('|---|---|---|---|---|---|');
    // Added latency: per round, target percentile minus direct percentile of the adjacent slice; median over rounds.
    const added = (t, s) => {
      const xs = results.get(`${t}|${s}`);
      const ds = results.get(`direct|${s}`);
      if (!xs || !ds) return undefined;
      const per = (k) => {
        const diffs = xs.slice(0, ds.length).map((x, i) => merge([x])[k] - merge([ds[i]])[k]).sort((p, q) => p - q);
        return diffs[Math.floor((diffs.length - 1) / 2)];
      };
      return { p50: per('p50'), p99: per('p99') };
    };
    const bareRps = get('bare', 'c32-1k')?.rps;
    for (const t of targets.filter((x) => x.id !== 'direct')) {
      const a = added(t.id, 'c1-1k');
      const c = added(t.id, 'r1000-1k');
      const d = added(t.id, 'c1-100k');
      lines.push(`| ${t.label} | ${signed(a?.p50, 3)} / ${signed(a?.p99, 3)} | ${signed(c?.p50, 3)} / ${signed(c?.p99, 3)} | ${signed(d?.p50)} / ${signed(d?.p99)} | ${fmt(get(t.id, 'c32-1k')?.rps / bareRps)}x | ${fmt(cpuPerReq(t.id, 'c32-1k') / cpuPerReq('bare', 'c32-1k'))}x / ${fmt(cpuPerReq(t.id, 'c32-100k') / cpuPerReq('bare', 'c32-100k'))}x |`);
    }

    // Streams.
    lines.push('');
    lines.push('Streaming (`stream: true`, concurrency 1): time to first content token (TTFT) and gap between content events, ms. A scanning gateway holds back a window of text before releasing it, so its TTFT includes the time the upstream takes to produce that window:');
    lines.push('');
    lines.push('| target | TTFT p50 / p99 | added TTFT p50 | inter-chunk p50 / p99 | added inter-chunk p99 |');
    lines.push('|---|---|---|---|---|');
    const dT = get('direct', 'stream', 'ttfb');
    const dG = get('direct', 'stream', 'gap');
    for (const t of targets) {
      const why = skipped.get(`${t.id}|stream`);
      if (why) {
        lines.push(`| ${t.label} | skipped: the gateway refused the stream (${why.replace(/\|/g, '/')}) | | | |`);
        continue;
      }
      const tt = get(t.id, 'stream', 'ttfb');
      const gg = get(t.id, 'stream', 'gap');
      lines.push(`| ${t.label} | ${fmt(tt?.p50)} / ${fmt(tt?.p99)} | ${t.id === 'direct' ? '' : signed(tt?.p50 - dT?.p50)} | ${fmt(gg?.p50)} / ${fmt(gg?.p99)} | ${t.id === 'direct' ? '' : signed(gg?.p99 - dG?.p99)} |`);
    }

    // Goals.
    const seed = (s) => get('kt-seed', s);
    const goals = [];
    const goal = (name, value, ok) => goals.push(`| ${name} | ${value} | ${ok === undefined ? 'n/a' : ok ? 'met' : '**not met**'} |`);
    const rBare = seed('c32-1k')?.rps / bareRps;
    goal('seed chain throughput >= 0.7x bare proxy (c32, 1 KB)', `${fmt(rBare)}x (CPU/req ${fmt(cpuPerReq('kt-seed', 'c32-1k') / cpuPerReq('bare', 'c32-1k'))}x bare)`, Number.isFinite(rBare) ? rBare >= 0.7 : undefined);
    for (const pk of ['portkey', 'portkey-gr']) {
      if (!present.includes(pk)) continue;
      const r = seed('c32-1k')?.rps / get(pk, 'c32-1k')?.rps;
      goal(`seed chain throughput >= 10x ${targets.find((t) => t.id === pk).label} (c32, 1 KB)`, `${fmt(r)}x (bare proxy: ${fmt(bareRps / get(pk, 'c32-1k')?.rps)}x; by CPU per request, 1 KB: ${fmt(cpuPerReq(pk, 'c32-1k') / cpuPerReq('kt-seed', 'c32-1k'))}x, 100 KB: ${fmt(cpuPerReq(pk, 'c32-100k') / cpuPerReq('kt-seed', 'c32-100k'))}x)`, Number.isFinite(r) ? r >= 10 : undefined);
    }
    // What stands in the way of the Portkey goal: if even the bare floor is under 10x Portkey, no gateway can meet it here.
    const floorVsPortkey = present.includes('portkey') ? bareRps / get('portkey', 'c32-1k')?.rps : NaN;
    const a1000 = added('kt-seed', 'r1000-1k');
    const sat = (seed('r1000-1k')?.rps ?? 0) < 950 ? ` (saturated: ${fmt(seed('r1000-1k')?.rps, 0)} req/s achieved)` : '';
    goal('seed chain added p50 <= 1 ms at 1,000 req/s, 1 KB', `${signed(a1000?.p50, 3)} ms${sat}`, a1000 ? a1000.p50 <= 1 : undefined);
    goal('seed chain added p99 <= 5 ms at 1,000 req/s, 1 KB', `${signed(a1000?.p99, 3)} ms${sat}`, a1000 ? a1000.p99 <= 5 : undefined);
    const a100 = added('kt-seed', 'c1-100k');
    goal('seed chain added p99 <= 25 ms, 100 KB prompts (c1)', `${signed(a100?.p99)} ms`, a100 ? a100.p99 <= 25 : undefined);
    const rssSeed = Math.max(rssPeak.get('kt-seed|1k') ?? NaN, rssPeak.get('kt-seed|100k') ?? NaN);
    goal('seed chain peak RSS <= 150 MB under load', `${fmt(rssSeed * 1.048576, 0)} MB (1 KB: ${fmt(rssPeak.get('kt-seed|1k') * 1.048576, 0)} MB, 100 KB c32: ${fmt(rssPeak.get('kt-seed|100k') * 1.048576, 0)} MB)`, Number.isFinite(rssSeed) ? rssSeed * 1.048576 <= 150 : undefined);

    // Soak: the seed chain at a steady rate; after a warm-up third, RSS must not keep growing.
    const SOAK_RATE = Math.round(Math.min(SOAK_RATE_MAX, Math.max(SOAK_RATE_MIN, 0.5 * (seed('c32-1k')?.rps ?? 2 * SOAK_RATE_MIN))));
    log(`gateway: soak, seed chain at ${SOAK_RATE} req/s for ${soakSeconds} s (--soak=MINUTES for longer)`);
    const rss = sampleRss(ktSeed.pid, 1000);
    const soak = await runLoad({ mode: 'rate', rate: SOAK_RATE, seconds: soakSeconds, maxSeconds: soakSeconds, url: targets.find((t) => t.id === 'kt-seed').url, body: body1k }, { cpu: CPU_LOAD });
    const { samples } = rss.stop();
    const vals = samples.map((x) => x[1]);
    const median = (xs) => Float64Array.from(xs).sort()[Math.floor(xs.length / 2)];
    const n = vals.length;
    const early = median(vals.slice(Math.floor(n * 0.3), Math.max(Math.floor(n * 0.3) + 1, Math.floor(n * 0.5))));
    const late = median(vals.slice(Math.floor(n * 0.8)));
    const growth = late - early;
    goal(`RSS flat over the soak (${soakSeconds} s at ${SOAK_RATE} req/s; 30-50 % window vs last 20 %)`, `${fmt(early, 0)} → ${fmt(late, 0)} MiB (${signed(growth, 1)})`, growth <= Math.max(5, early * 0.05));
    const every = Math.max(1, Math.round(n / 12));
    lines.push('');
    lines.push(`Soak: seed chain, ${SOAK_RATE} req/s (half its c32 throughput in this run), ${soakSeconds} s, ${soak.requests} requests, ${soak.errors?.count ?? 0} errors, p50 ${fmt(soak.latency?.p50, 3)} ms, p99 ${fmt(soak.latency?.p99, 3)} ms; RSS MiB every ${every} s: ${vals.filter((_, i) => i % every === 0).map((v) => fmt(v, 0)).join(' ')}.`);
    lines.push('');
    lines.push('Goals (issue 7), from this run:');
    lines.push('');
    lines.push('| goal | measured | status |');
    lines.push('|---|---|---|');
    lines.push(...goals);
    lines.push('');
    const notes = [];
    if (Number.isFinite(floorVsPortkey) && floorVsPortkey < 10) notes.push(`the bare pass-through floor itself reaches only ${fmt(floorVsPortkey)}x Portkey's throughput on this box, so ">= 10x Portkey" cannot be met by any Node.js gateway with this client, upstream and CPU split; ktpack's seed chain reaches ${fmt(seed('c32-1k')?.rps / get('portkey', 'c32-1k')?.rps)}x`);
    if ((seed('r1000-1k')?.rps ?? 1000) < 950) notes.push(`at 1,000 req/s the seed chain was saturated (${fmt(seed('r1000-1k')?.rps, 0)} req/s achieved, with the upstream on the same core and a machine load average of ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs): its latency there is queueing, not per-request overhead; CPU per request (${fmt(cpuPerReq('kt-seed', 'c32-1k'), 0)} µs for 1 KB) is the figure to compare`);
    const seedCpu100 = cpuPerReq('kt-seed', 'c32-100k');
    const emptyCpu100 = cpuPerReq('kt-empty', 'c32-100k');
    if (Number.isFinite(seedCpu100) && Number.isFinite(emptyCpu100)) notes.push(`for 100 KB prompts the seed chain's policies cost ${fmt(seedCpu100 - emptyCpu100, 0)} µs CPU per request over the empty chain (${fmt(seedCpu100 / emptyCpu100, 1)}x); the profile below names where`);
    if (notes.length) lines.push(`Reading this run: ${notes.join('; ')}.`);

    // Profile: the seed chain under c32 load with --cpu-prof, 1 KB then 100 KB; top self-time functions and areas.
    if (profile) {
      for (const [size, body] of [['1 KB', body1k], ['100 KB', body100k]]) {
        const profDir = join(tmp, `prof-${size.replace(/\W/g, '')}`);
        const prof = await start('ktpack seed (profiled)', ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...serveArgs(files.seed, 'audit-prof')], { cpu: CPU_GATEWAY, env });
        await runLoad({ mode: 'closed', concurrency: 32, body, maxRequests: 100_000, maxSeconds: 4, url: `${prof.url}${chat}` }, { cpu: CPU_LOAD });
        await prof.stop();
        services.splice(services.indexOf(prof), 1);
        const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
        if (!file) continue;
        const data = JSON.parse(await readFile(join(profDir, file), 'utf8'));
        lines.push('');
        lines.push(`CPU profile of \`ktpack serve\` (seed chain, concurrency 32, ${size} prompts, 4 s plus startup; \`node --cpu-prof\`). By area: ${selfTimeByArea(data).map((x) => `${x.area} ${fmt(x.percent, 1)} %`).join('; ')}. Top self time:`);
        lines.push('');
        lines.push('| self % | function | where |');
        lines.push('|---|---|---|');
        for (const f of topSelfTime(data, 12)) lines.push(`| ${fmt(f.percent, 1)} | \`${f.name.replace(/\|/g, '\\|').slice(0, 90)}\` | ${f.where} |`);
      }
    }

    const versions = {
      node: process.version,
      portkey: require('@portkey-ai/gateway/package.json').version,
      undici: require('undici/package.json').version,
      ktpack: JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version,
    };
    lines.push('');
    lines.push(`Versions: ktpack ${versions.ktpack}, @portkey-ai/gateway ${versions.portkey}, undici ${versions.undici}, Node.js ${versions.node}. Reproduce: \`npm run bench -- gateway\` (flags: \`--rounds=N\`, \`--slice=SECONDS\`, \`--soak=MINUTES\`, \`--no-profile\`).`);
    return lines.join('\n');
  } finally {
    for (const s of services.reverse()) await s.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}
