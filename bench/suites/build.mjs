// Compiler and evaluator speed: build vs lint of the seed pack, evaluator decisions per second, streaming overhead.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitBundle } from '../../dist/emit/emit-bundle.js';
import { formatStylish } from '../../dist/formatters/stylish.js';
import { lintText } from '../../dist/lint/lint.js';
import { loadPackFile } from '../../dist/pack.js';
import { evaluate } from '../../dist/runtime/evaluate.js';
import { createMarkerTable } from '../../dist/runtime/step.js';
import { createStreamScanner } from '../../dist/runtime/stream-scanner.js';

export const title = 'Compiler and evaluator';

const SEED = new URL('../../packs/chatgpt-enterprise-gateway/policy-config.yaml', import.meta.url).pathname;

/** Median milliseconds per call of `fn`, over `rounds` rounds of `batch` calls. */
async function timeIt(fn, { rounds = 15, batch = 20 } = {}) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6 / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Calls per second of a synchronous `fn`, measured for about `ms` milliseconds after a warm-up. */
function rate(fn, ms = 1500) {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const end = performance.now() + ms;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
  }
  return n / ((performance.now() - t0) / 1000);
}

/**
 * A ~1 KB chat request: a system prompt, a few turns, one e-mail address to redact. `history` and
 * `turn` are woven into the texts: distinct values make distinct texts, so no detector cache can
 * answer (prompt-injection reuses scores of texts of 256+ characters it saw recently).
 */
function kilobyteRequest(withPii, history = '', turn = '') {
  const filler = 'Please summarise the quarterly revenue figures for the EMEA region and compare them with last year, highlighting churn drivers. ';
  const messages = [
    { role: 'system', content: `You are a helpful enterprise assistant${history}. Answer concisely and cite internal documents where possible.` },
    { role: 'user', content: `${filler.repeat(3)}Ticket ${history || 'A-1'}.` },
    { role: 'assistant', content: `Revenue grew 12% year over year, driven mostly by expansion in existing accounts${history}. Churn was concentrated in the SMB segment.` },
    { role: 'user', content: `${filler.repeat(2)}${withPii ? `Send the summary to jane.doe@example.com when done (${turn || 'B-1'}).` : `Send the summary to the finance team when done (${turn || 'B-1'}).`}` },
  ];
  return { model: 'gpt-4o', messages };
}

/** Decisions per second over a pool of distinct requests (each used once per pass over the pool). */
function poolRate(ir, pool, ms) {
  let i = 0;
  return rate(() => evaluate(ir, { phase: 'request', request: pool[i++ % pool.length] }, { markers: createMarkerTable() }), ms);
}

export async function run({ log }) {
  const text = readFileSync(SEED, 'utf8');
  const out = mkdtempSync(join(tmpdir(), 'ktpack-bench-build-'));
  const lint = async () => {
    const t = await readFile(SEED, 'utf8');
    formatStylish(lintText(SEED, t).diagnostics);
  };
  let k = 0;
  const build = async () => {
    const loaded = await loadPackFile(SEED);
    await emitBundle(loaded.ir, join(out, `b${k++ % 4}`));
  };
  const compileOnly = async () => {
    await loadPackFile(SEED);
  };
  for (let i = 0; i < 50; i++) {
    await lint();
    await build();
  }
  log('timing lint and build of the seed pack…');
  // Interleave so machine load affects both alike.
  const lintMs = [];
  const buildMs = [];
  const compileMs = [];
  for (let i = 0; i < 5; i++) {
    lintMs.push(await timeIt(lint));
    compileMs.push(await timeIt(compileOnly));
    buildMs.push(await timeIt(build));
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [l, c, b] = [med(lintMs), med(compileMs), med(buildMs)];
  const bundleDir = join(out, 'b0');
  const runtimeBytes = statSync(join(bundleDir, 'runtime.mjs')).size;
  const irBytes = statSync(join(bundleDir, 'policy.ir.json')).size;
  rmSync(out, { recursive: true, force: true });

  log('timing the CLI end to end (node start-up included)…');
  const { spawnSync } = await import('node:child_process');
  const bin = new URL('../../bin/ktpack.js', import.meta.url).pathname;
  const cliDir = mkdtempSync(join(tmpdir(), 'ktpack-bench-cli-'));
  const cli = (args) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ktpack ${args[0]} failed: ${r.stderr}`);
    return performance.now() - t0;
  };
  const cliLint = [];
  const cliBuild = [];
  for (let i = 0; i < 9; i++) {
    cliLint.push(cli(['lint', SEED]));
    cliBuild.push(cli(['build', SEED, '-o', join(cliDir, 'bundle')]));
  }
  rmSync(cliDir, { recursive: true, force: true });
  const [cl, cb] = [med(cliLint), med(cliBuild)];

  log('timing the evaluator…');
  const loaded = await loadPackFile(SEED);
  const ir = loaded.ir;
  const clean = kilobyteRequest(false);
  const pii = kilobyteRequest(true);
  const size = Buffer.byteLength(JSON.stringify(pii));
  const wire = JSON.stringify(clean);
  const baseline = rate(() => JSON.stringify(JSON.parse(wire)));
  // Pools larger than any detector cache and than what one timing window consumes, so every text is new.
  const POOL = 60000;
  const newClean = Array.from({ length: POOL }, (_, k) => kilobyteRequest(false, ` #${k}`, `T-${k}`));
  const newPii = Array.from({ length: POOL }, (_, k) => kilobyteRequest(true, ` #${k}`, `T-${k}`));
  // A chat: the same system prompt and history every turn, a new last message.
  const chatTurns = Array.from({ length: POOL }, (_, k) => kilobyteRequest(true, '', `T-${k}`));
  // Warm-up on texts of the same shape so the first timed pool does not pay for JIT and the pools' allocation.
  poolRate(ir, Array.from({ length: 5000 }, (_, k) => kilobyteRequest(k % 2 === 0, ` w${k}`, `W-${k}`)), 1000);
  const newCleanRate = poolRate(ir, newClean, 1500);
  const newPiiRate = poolRate(ir, newPii, 1500);
  const chatRate = poolRate(ir, chatTurns, 1500);
  const cleanRate = rate(() => evaluate(ir, { phase: 'request', request: clean }, { markers: createMarkerTable() }));
  const piiRate = rate(() => evaluate(ir, { phase: 'request', request: pii }, { markers: createMarkerTable() }));
  // Attribution: the same request through each step alone (the evaluator's own work is what remains).
  const perKind = ir.request.map((step) => {
    const alone = { ...ir, request: [step] };
    return { kind: step.kind, rate: poolRate(alone, newPii, 800) };
  });
  const none = { ...ir, request: [] };
  const coreRate = poolRate(none, newPii, 800);

  log('timing the stream scanner…');
  const answer = `${'The quarterly figures show steady growth across regions, with EMEA leading. '.repeat(40)}Contact jane.doe@example.com for details.`;
  const chunks = answer.match(/[\s\S]{1,20}/g);
  const whole = rate(() => evaluate(ir, { phase: 'response', response: { choices: [{ index: 0, message: { role: 'assistant', content: answer } }] } }, { markers: createMarkerTable() }), 800);
  const streamed = rate(() => {
    const s = createStreamScanner(ir, { markers: createMarkerTable() });
    for (const c of chunks) s.push('choices[0].content', c);
    s.end('choices[0].content');
  }, 800);
  // A long answer: the cost of a push must not grow with the text already streamed (the scanner keeps only its window).
  const longField = createStreamScanner(ir, { markers: createMarkerTable() });
  const pushes = (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) longField.push('choices[0].content', 'lorem ipsum dolor sit amet ');
    return ((performance.now() - t0) * 1000) / n;
  };
  const earlyPush = pushes(2000);
  pushes(36000);
  const latePush = pushes(2000);

  const goal = (ok) => (ok ? 'met' : '**missed**');
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  return `
Seed pack \`packs/chatgpt-enterprise-gateway\`. In-process rows: median of 5×15 rounds (file read included in both). Load average during the run: ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} on ${os.cpus().length} cores (other work on the machine lowers every absolute figure).

| Measure | Value | Goal |
|---|---|---|
| \`ktpack lint\` (read + lint + format) | ${l.toFixed(3)} ms | baseline |
| compile (read + lint + compile, no files written) | ${c.toFixed(3)} ms (${(c / l).toFixed(2)}× lint) | |
| \`ktpack build\` (compile + render + atomic write of the 5 bundle files) | ${b.toFixed(3)} ms (${(b / l).toFixed(2)}× lint) | file writes dominate |
| \`ktpack lint\` CLI, end to end (median of 9 runs) | ${cl.toFixed(1)} ms | baseline |
| \`ktpack build\` CLI, end to end (median of 9 runs) | ${cb.toFixed(1)} ms (**${(cb / cl).toFixed(2)}× lint**) | < 1.5× lint: ${goal(cb / cl < 1.5)} |
| runtime.mjs size | ${fmt(runtimeBytes)} bytes (IR ${fmt(irBytes)} bytes) | lean, no imports |

Evaluator on one core, seed pack's full request chain (prompt-injection, pii-detector), ${size}-byte request (4 messages):

| Input | Decisions/s | vs JSON.parse+stringify of the request |
|---|---|---|
| baseline: JSON.parse + JSON.stringify | ${fmt(baseline)} | 1.00× |
| new clean request every time (allow) | **${fmt(newCleanRate)}** | ${(newCleanRate / baseline).toFixed(2)}× |
| new request with one e-mail every time (redact) | **${fmt(newPiiRate)}** | ${(newPiiRate / baseline).toFixed(2)}× |
| chat turn: same system prompt and history, new last message (redact) | ${fmt(chatRate)} | ${(chatRate / baseline).toFixed(2)}× |
| the same clean request over and over (cache hits) | ${fmt(cleanRate)} | ${(cleanRate / baseline).toFixed(2)}× |
| the same request with one e-mail over and over (cache hits) | ${fmt(piiRate)} | ${(piiRate / baseline).toFixed(2)}× |

Goal over 20,000 decisions/s, judged on new requests (no text seen before): ${goal(Math.min(newCleanRate, newPiiRate) > 20000)}.
Repeating one request lets both detectors answer every text from their caches (docs/compiler.md, Decisions), so those rows measure the cache, not the detectors.

Where the time goes (new request with one e-mail, one step at a time):

| Chain | Decisions/s | µs per decision |
|---|---|---|
${perKind.map((k) => `| ${k.kind} alone | ${fmt(k.rate)} | ${(1e6 / k.rate).toFixed(1)} |`).join('\n')}
| no steps (slot extraction, result assembly) | ${fmt(coreRate)} | ${(1e6 / coreRate).toFixed(1)} |

Streaming a ${answer.length}-character answer in 20-character chunks through \`createStreamScanner\` (256-character hold-back): ${fmt(streamed)} answers/s vs ${fmt(whole)} answers/s evaluated whole (${(whole / streamed).toFixed(1)}× the work; each push past the window re-scans at most window + chunk characters).
Per push on one long field (27-character chunks): ${earlyPush.toFixed(1)} µs in the first 54 KB, ${latePush.toFixed(1)} µs after 1 MB (**${(latePush / earlyPush).toFixed(2)}×**; goal < 2×, the cost does not grow with the stream: ${goal(latePush / earlyPush < 2)}).
`;
}
