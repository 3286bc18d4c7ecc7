// Detection quality and speed: per-entity precision/recall/F1, injection TPR/FPR, throughput and latency, against npm peers on the same corpus.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vard from '@andersmyrmel/vard';
import { Redactor } from '@redactpii/node';
import { scoreInjection } from '../../dist/runtime/detectors/injection.js';
import { BUILTIN_ENTITIES, findPii } from '../../dist/runtime/detectors/pii.js';
import { injectionCases, loadCorpus, piiCases, scoreInjectionCases, scorePii } from '../detect-eval.mjs';

export const title = 'Detection quality and speed';

const ENTITIES = [...BUILTIN_ENTITIES];
const THRESHOLD = 0.8;
const PEER_PII = ['CREDIT_CARD', 'EMAIL', 'PHONE', 'SSN'];
const PEER_RULES = ['CREDIT_CARD', 'EMAIL', 'NAME', 'PHONE', 'SSN'];

const ktpackPii = (text) => findPii(text, ENTITIES).map((s) => ({ entity: s.entity, text: text.slice(s.start, s.end) }));

/** @redactpii/node only rewrites text: recover its spans by redacting one entity at a time with a sentinel. */
const peerRedactors = Object.fromEntries(
  PEER_PII.map((e) => [e, new Redactor({ rules: Object.fromEntries(PEER_RULES.map((k) => [k, k === e])), globalReplaceWith: '\u0001' })]),
);
const peerAll = new Redactor({ rules: Object.fromEntries(PEER_RULES.map((k) => [k, k !== 'NAME'])), globalReplaceWith: '\u0001' });

function peerPii(text) {
  const out = [];
  for (const e of PEER_PII) {
    const parts = peerRedactors[e].redact(text).split('\u0001');
    // original = parts[0] + X1 + parts[1] + X2 + ...: locate each X between its neighbours.
    let at = parts[0].length;
    for (let i = 1; i < parts.length; i++) {
      const last = i === parts.length - 1;
      const end = parts[i] === '' ? (last ? text.length : at) : last ? text.length - parts[i].length : text.indexOf(parts[i], at + 1);
      if (end > at) out.push({ entity: e, text: text.slice(at, end) });
      at = Math.max(at, end) + parts[i].length;
    }
  }
  return out;
}




const f = (x) => x.toFixed(3);

export async function run(ctx) {
  const lines = [];
  const pii = piiCases();
  const inj = injectionCases();
  const holdout = loadCorpus('injection-holdout.jsonl');
  const holdout2 = loadCorpus('injection-holdout2.jsonl');
  const ours = scorePii(pii, ktpackPii, ENTITIES);
  const peer = scorePii(pii, peerPii, PEER_PII);
  const peerBy = Object.fromEntries(peer.rows.map((r) => [r.entity, r]));
  lines.push(`### PII: ${pii.length} labeled cases (corpus/pii.jsonl + corpus/detection-public.jsonl)`, '');
  lines.push('| entity | expected spans | ktpack precision | ktpack recall | ktpack F1 | @redactpii/node precision | recall | F1 |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of ours.rows) {
    const p = peerBy[r.entity];
    lines.push(`| ${r.entity} | ${r.tp + r.fn} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.f1)} | ${p ? f(p.precision) : 'n/a'} | ${p ? f(p.recall) : 'n/a'} | ${p ? f(p.f1) : 'n/a'} |`);
  }
  if (ours.misses.length) ctx.log(`ktpack PII misses:\n${ours.misses.map((m) => `  ${m.kind} ${m.id} ${m.entity}`).join('\n')}`);
  const heldSets = [
    ['Held-out PII set', 'pii-holdout.jsonl', 'written after tuning, never tuned on'],
    ['Held-out PII set 2', 'pii-holdout2.jsonl', 'written blind by a different author after tuning, never tuned on'],
  ];
  for (const [name, file, how] of heldSets) {
    const held = scorePii(loadCorpus(file), ktpackPii, ENTITIES);
    const sum = (k) => held.rows.reduce((a, r) => a + r[k], 0);
    const [tp, fp, fn] = [sum('tp'), sum('fp'), sum('fn')];
    lines.push('', `${name} (corpus/${file}, ${tp + fn} spans, ${how}): precision ${f(tp / Math.max(1, tp + fp))}, recall ${f(tp / Math.max(1, tp + fn))}; misses: ${held.misses.map((m) => `${m.kind} ${m.entity} (${m.id})`).join(', ') || 'none'}.`);
  }

  const flagOurs = (t) => scoreInjection(t).score >= THRESHOLD;
  const flagVard = (t) => !vard.safe(t).safe;
  const sets = [
    ['corpus + public cases', inj],
    ['held-out set (written after tuning, never tuned on)', holdout],
    ['held-out set 2 (written blind by a different author, never tuned on)', holdout2],
  ];
  lines.push('', `### Prompt injection at threshold ${THRESHOLD}`, '');
  lines.push('| set | attacks | benign | ktpack TPR (recall) | ktpack FPR | @andersmyrmel/vard TPR | vard FPR |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, cases] of sets) {
    const a = scoreInjectionCases(cases, flagOurs);
    const b = scoreInjectionCases(cases, flagVard);
    lines.push(`| ${name} | ${a.tp + a.fn} | ${a.fp + a.tn} | ${f(a.tpr)} | ${f(a.fpr)} | ${f(b.tpr)} | ${f(b.fpr)} |`);
    if (a.misses.length) ctx.log(`ktpack injection misses (${name}): ${a.misses.map((m) => `${m.kind}:${m.id}`).join(' ')}`);
  }
  const families = [...new Set(inj.filter((c) => c.expected.block).map((c) => c.expected.family ?? 'public'))].sort();
  lines.push('', '| attack family (corpus) | cases | ktpack recall | vard recall |', '|---|---:|---:|---:|');
  for (const fam of families) {
    const cases = inj.filter((c) => c.expected.block && (c.expected.family ?? 'public') === fam);
    lines.push(`| ${fam} | ${cases.length} | ${f(scoreInjectionCases(cases, flagOurs).tpr)} | ${f(scoreInjectionCases(cases, flagVard).tpr)} |`);
  }

  lines.push('', '### Speed (one core)', '');
  lines.push(
    'Inputs: "business" is the clean prompt text of the gateway benchmark (`bench/gateway/prompts.mjs`, the realistic case); "prose" is the benign corpus text glued together (every sentence full of trigger words: the worst case for injection scoring); "dense" is every corpus case in a row (a PII value or an attack every ~100 characters: the worst case for PII). Each row runs in its own process (`bench/detect-speed.mjs`). MB/s per core is computed from the process CPU time per call; p50/p99 are wall clock and include waiting for a core on this shared machine.',
    '',
  );
  lines.push('| detector | input | CPU ms/call | MB/s per core | p50 ms | p99 ms |', '|---|---|---:|---:|---:|---:|');
  const worker = fileURLToPath(new URL('../detect-speed.mjs', import.meta.url));
  const plan = [
    ...['1 KB business', '100 KB business', '100 KB prose'].flatMap((input) => ['ktpack PII (7 entities)', '@redactpii/node (4 entities)', 'ktpack prompt injection', 'ktpack content filter (6 categories)'].map((d) => [d, input])),
    ...['ktpack PII (7 entities)', '@redactpii/node (4 entities)', 'ktpack prompt injection', '@andersmyrmel/vard', 'ktpack content filter (6 categories)'].flatMap((d) => ['1 KB dense', '100 KB dense'].map((input) => [d, input])),
  ];
  for (const [detector, input] of plan) {
    const m = JSON.parse(execFileSync(process.execPath, [worker, detector, input], { encoding: 'utf8' }));
    lines.push(`| ${detector} | ${input} | ${m.cpuMs.toFixed(3)} | ${m.mbps.toFixed(1)} | ${m.p50.toFixed(3)} | ${m.p99.toFixed(3)} |`);
  }
  const bundle = statSync(new URL('../../dist/runtime-bundle/runtime.template.mjs', import.meta.url)).size;
  lines.push('', '@andersmyrmel/vard rejects inputs over its length limit before scanning, hence its 100 KB figures.');
  lines.push('', `runtime.mjs template with every detector bundled (not minified): ${(bundle / 1024).toFixed(1)} KiB.`);
  lines.push('', 'Reproduce: `npm run bench:detect`. The corpus was written by the detector authors (see corpus/README.md): the held-out rows are the honest estimate for phrasings the rules were not tuned on (set 2 was written without reading the rules or the corpus).');
  return lines.join('\n');
}
