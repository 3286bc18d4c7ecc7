// Scores detectors against the labeled corpus (shared by `npm run bench:detect` and ad-hoc runs): per-entity P/R/F1, injection TPR/FPR.
import { readFileSync } from 'node:fs';

/** Reads a JSON Lines corpus file from corpus/. */
export function loadCorpus(name) {
  return readFileSync(new URL(`../corpus/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** Every PII case: the corpus plus the public cases copied from real bug reports. */
export function piiCases() {
  return [...loadCorpus('pii.jsonl'), ...loadCorpus('detection-public.jsonl').filter((c) => c.kind === 'pii')];
}

/** Every injection case: the corpus plus the public cases. */
export function injectionCases() {
  return [...loadCorpus('injection.jsonl'), ...loadCorpus('detection-public.jsonl').filter((c) => c.kind === 'injection')];
}

/**
 * Per-entity counts for a detector `(text) => [{entity, text}]`. A finding counts as a true positive when
 * an expected span of that entity overlaps it (so "Bearer sk-..." vs "sk-..." boundaries don't count twice);
 * any other finding is a false positive, except spans a case lists neither way on a `not_detect`-only case.
 */
export function scorePii(cases, detect, entities) {
  const stats = Object.fromEntries(entities.map((e) => [e, { tp: 0, fp: 0, fn: 0 }]));
  const misses = [];
  for (const c of cases) {
    const expected = (c.expected.detect ?? []).filter((d) => entities.includes(d.entity));
    const found = detect(c.input).filter((f) => entities.includes(f.entity));
    const overlap = (a, b) => a.entity === b.entity && (a.text.includes(b.text) || b.text.includes(a.text));
    for (const e of expected) {
      if (found.some((f) => overlap(f, e))) stats[e.entity].tp++;
      else {
        stats[e.entity].fn++;
        misses.push({ id: c.id, kind: 'FN', entity: e.entity, text: e.text });
      }
    }
    for (const f of found) {
      if (expected.some((e) => overlap(f, e))) continue;
      const onlyNot = !c.expected.detect && c.expected.not_detect && !c.expected.not_detect.some((n) => n.entity === f.entity);
      if (onlyNot) continue;
      stats[f.entity].fp++;
      misses.push({ id: c.id, kind: 'FP', entity: f.entity, text: f.text });
    }
  }
  const rows = Object.entries(stats).map(([entity, s]) => {
    const precision = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
    const recall = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { entity, ...s, precision, recall, f1 };
  });
  return { rows, misses };
}

/** True/false-positive rates of `flag(text) => boolean` over injection cases (labels: expected.block). */
export function scoreInjectionCases(cases, flag) {
  let tp = 0, fn = 0, fp = 0, tn = 0;
  const misses = [];
  for (const c of cases) {
    const hit = flag(c.input);
    if (c.expected.block) hit ? tp++ : (fn++, misses.push({ id: c.id, kind: 'FN' }));
    else hit ? (fp++, misses.push({ id: c.id, kind: 'FP' })) : tn++;
  }
  return { tp, fn, fp, tn, tpr: tp / Math.max(1, tp + fn), fpr: fp / Math.max(1, fp + tn), misses };
}
