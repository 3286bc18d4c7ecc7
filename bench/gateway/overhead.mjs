// Gateway overhead harness: CPU µs per request (the process's own CPU / requests) and peak RSS of the bare proxy and
// ktpack serve (empty chain, seed chain) under closed-loop load, interleaved, optionally against a second ktpack build
// (--base=DIR: a copy of bin/ + dist/ + packs/ with node_modules linked) and with V8 CPU profiles (--prof=DIR).
// Usage: node bench/gateway/overhead.mjs [--sizes=1k,100k] [--rounds=3] [--seconds=3] [--concurrency=32]
//          [--targets=bare,empty,seed] [--base=/tmp/kt-base] [--prof=/tmp/prof] [--top=25]
// Pinning as in the gateway suite: load on CPU 0; upstream and the gateway under test on CPU 1.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { writePacks } from './packs.mjs';
import { ROOT, runLoad, startService } from './processes.mjs';
import { selfTimeByArea, topSelfTime } from './cpu-profile.mjs';
import { sampleRss } from './rss-sampler.mjs';
import { prompt1k, prompt100k } from './prompts.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, ...v] = a.replace(/^--/, '').split('='); return [k, v.length ? v.join('=') : 'true']; }));
const sizes = (args.sizes ?? '1k').split(',');
const rounds = Number(args.rounds ?? 3);
const seconds = Number(args.seconds ?? 3);
const concurrency = Number(args.concurrency ?? 32);
const wanted = (args.targets ?? 'bare,empty,seed').split(',');
const prof = args.prof;
const roots = [['', ROOT]];
if (args.base) roots.push(['base ', args.base]);

const tmp = await mkdtemp(join(os.tmpdir(), 'ktpack-overhead-'));
const services = [];
try {
  const { files: packs } = await writePacks(tmp);

  const up = await startService('upstream', [join(ROOT, 'bench/gateway/fake-upstream.mjs')], { cpu: 1 });
  services.push(up);
  const targets = [];
  if (wanted.includes('bare')) {
    const node = prof ? ['--cpu-prof', `--cpu-prof-dir=${join(prof, 'bare')}`] : [];
    const s = await startService('bare', [...node, join(ROOT, 'bench/gateway/bare-proxy.mjs'), `--upstream=${up.url}`], { cpu: 1 });
    services.push(s);
    targets.push({ label: 'bare proxy', s, prof: prof && join(prof, 'bare') });
  }
  if (wanted.includes('adapter')) {
    const node = prof ? ['--cpu-prof', `--cpu-prof-dir=${join(prof, 'adapter')}`] : [];
    const s = await startService('adapter', [...node, join(ROOT, 'bench/gateway/adapter-proxy.mjs'), `--upstream=${up.url}`], { cpu: 1 });
    services.push(s);
    targets.push({ label: 'adapter only', s, prof: prof && join(prof, 'adapter') });
  }
  for (const [prefix, root] of roots) {
    for (const pack of ['empty', 'seed']) {
      if (!wanted.includes(pack)) continue;
      const label = `${prefix}${pack}`;
      const node = prof ? ['--cpu-prof', `--cpu-prof-dir=${join(prof, label.replace(/ /g, '-'))}`] : [];
      const s = await startService(label, [...node, join(root, 'bin/ktpack.js'), 'serve', packs[pack], '--listen', '127.0.0.1:0', '--upstream', `${up.url}/v1`, '--audit-dir', join(tmp, `audit-${label.replace(/ /g, '-')}`)], { cpu: 1, env: { OPENAI_API_KEY: 'sk-bench-not-a-real-key' } });
      services.push(s);
      targets.push({ label, s, prof: prof && join(prof, label.replace(/ /g, '-')) });
    }
  }
  const bodies = { '1k': JSON.stringify(prompt1k()), '100k': JSON.stringify(prompt100k()) };
  const results = new Map();
  // Warm-up (JIT, connection pools, heap growth), not recorded.
  for (const size of sizes) for (const t of targets) await runLoad({ mode: 'closed', concurrency, body: bodies[size], url: `${t.s.url}/v1/chat/completions`, maxSeconds: 1, maxRequests: 1e7 }, { cpu: 0 });
  for (let round = 0; round < rounds; round++) {
    for (const size of sizes) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const t of order) {
        const rss = sampleRss(t.s.pid, 50);
        const r = await runLoad({ mode: 'closed', concurrency, body: bodies[size], url: `${t.s.url}/v1/chat/completions`, maxSeconds: seconds, maxRequests: 1e7 }, { cpu: 0 });
        const { peak, cpu } = rss.stop();
        const key = `${t.label}|${size}`;
        const x = results.get(key) ?? { cpu: 0, n: 0, rps: [], peak: 0, per: [], errors: 0 };
        x.cpu += cpu;
        x.n += r.total;
        x.rps.push(r.rps);
        x.per.push((1e6 * cpu) / r.total);
        x.peak = Math.max(x.peak, peak);
        x.errors += r.errors?.count ?? 0;
        results.set(key, x);
        process.stderr.write(`round ${round + 1} ${size.padEnd(4)} ${t.label.padEnd(12)} ${r.rps.toFixed(0).padStart(6)} req/s ${((1e6 * cpu) / r.total).toFixed(0).padStart(5)} µs/req  peak ${peak.toFixed(0)} MiB  errors ${r.errors?.count ?? 0}\n`);
      }
    }
  }
  // CPU/request: overall mean, and the median and minimum of the rounds (other load on a shared box only adds).
  console.log('\ntarget        size   mean median  min  (per round)                 req/s  peak RSS MiB  errors');
  for (const size of sizes) {
    for (const t of targets) {
      const x = results.get(`${t.label}|${size}`);
      const sorted = [...x.per].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(`${t.label.padEnd(13)} ${size.padEnd(5)} ${((1e6 * x.cpu) / x.n).toFixed(0).padStart(5)} ${median.toFixed(0).padStart(6)} ${sorted[0].toFixed(0).padStart(5)}  (${x.per.map((v) => v.toFixed(0)).join(' ')})`.padEnd(70) + `${(x.rps.reduce((a, b) => a + b, 0) / x.rps.length).toFixed(0).padStart(6)}  ${x.peak.toFixed(0).padStart(6)}        ${x.errors}`);
    }
  }
  for (const s of services.reverse()) await s.stop();
  services.length = 0;
  if (prof) {
    for (const t of targets) {
      if (!t.prof) continue;
      const files = (await readdir(t.prof).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
      for (const f of files) {
        const p = JSON.parse(await readFile(join(t.prof, f), 'utf8'));
        console.log(`\n== ${t.label} (${join(t.prof, f)})`);
        // Shares of busy time (idle left out).
        const areas = selfTimeByArea(p);
        const busy = 100 - (areas.find((a) => a.area === 'idle')?.percent ?? 0);
        for (const a of areas) if (a.area !== 'idle') console.log(`  ${((100 * a.percent) / busy).toFixed(1).padStart(5)}%  ${a.area}`);
        for (const x of topSelfTime(p, Number(args.top ?? 25) + 1)) if (x.name !== '(idle)') console.log(`  ${((100 * x.percent) / busy).toFixed(1).padStart(5)}%  ${x.name.slice(0, 100)}  ${x.where}`);
      }
    }
  }
} finally {
  for (const s of services.reverse()) await s.stop().catch(() => undefined);
  await rm(tmp, { recursive: true, force: true });
}
