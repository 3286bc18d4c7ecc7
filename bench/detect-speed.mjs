// Times one detector on one input in a fresh process (node bench/detect-speed.mjs <detector> <input>): detectors
// measured in one process slow each other down (garbage and V8's regex compilation cache), so each gets its own.
import vard from '@andersmyrmel/vard';
import { Redactor } from '@redactpii/node';
import { CONTENT_CATEGORIES, findContent } from '../dist/runtime/detectors/content.js';
import { scoreInjection } from '../dist/runtime/detectors/injection.js';
import { BUILTIN_ENTITIES, findPii } from '../dist/runtime/detectors/pii.js';
import { injectionCases, loadCorpus, piiCases } from './detect-eval.mjs';
import { prose as businessProse } from './gateway/prompts.mjs';

/** Input of `size` characters glued from corpus texts: every case (PII-dense, many near-misses), or benign prose only. */
function mixedText(size, proseOnly = false) {
  const pool = (proseOnly ? loadCorpus('injection.jsonl').filter((c) => !c.expected.block) : [...piiCases(), ...injectionCases()]).map((c) => c.input);
  let s = '';
  for (let i = 0; s.length < size; i++) s += pool[(i * 7919) % pool.length] + '\n';
  return s.slice(0, size);
}

export const INPUTS = {
  '1 KB business': () => businessProse(1024),
  '100 KB business': () => businessProse(100 * 1024),
  '100 KB prose': () => mixedText(100 * 1024, true),
  '1 KB dense': () => mixedText(1024),
  '100 KB dense': () => mixedText(100 * 1024),
};

const peer = new Redactor({ rules: { CREDIT_CARD: true, EMAIL: true, NAME: false, PHONE: true, SSN: true }, globalReplaceWith: '\u0001' });
export const DETECTORS = {
  'ktpack PII (7 entities)': (t) => findPii(t, [...BUILTIN_ENTITIES]),
  '@redactpii/node (4 entities)': (t) => peer.redact(t),
  'ktpack prompt injection': (t) => scoreInjection(t),
  '@andersmyrmel/vard': (t) => vard.safe(t),
  'ktpack content filter (6 categories)': (t) => findContent(t, { categories: CONTENT_CATEGORIES }),
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs `fn(input)` for about `ms` milliseconds after a warm-up. Wall-clock p50/p99 in ms, and CPU ms per call from
 * the process CPU time: on a shared machine the wall clock includes waiting for a core, CPU time does not.
 */
function measure(fn, input, ms = 800) {
  const warm = performance.now();
  while (performance.now() - warm < 150) fn(input);
  const times = [];
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < ms || times.length < 20) {
    const t0 = performance.now();
    fn(input);
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const cpuMs = (cpu.user + cpu.system) / 1000 / times.length;
  return { p50: percentile(times, 50), p99: percentile(times, 99), cpuMs, mbps: input.length / 1e6 / (cpuMs / 1000) };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const [detector, input] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(measure(DETECTORS[detector], INPUTS[input]())));
}
