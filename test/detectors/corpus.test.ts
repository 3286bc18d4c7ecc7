// Detectors against the shared public cases (every core case must pass) and a sample of the labeled corpus.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scoreInjection } from '../../src/runtime/detectors/injection.js';
import { BUILTIN_ENTITIES, findPii } from '../../src/runtime/detectors/pii.js';

interface Case {
  id: string;
  kind: 'pii' | 'injection';
  input: string;
  expected: {
    tier?: string;
    detect?: Array<{ entity: string; text: string }>;
    not_detect?: Array<{ entity: string; text: string }>;
    block?: boolean;
    threshold?: number;
  };
}

const load = (name: string): Case[] =>
  readFileSync(new URL(`../../corpus/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Case);

const found = (text: string) => findPii(text, BUILTIN_ENTITIES).map((s) => ({ entity: s.entity, text: text.slice(s.start, s.end) }));

/** Asserts one PII case: every expected span found, nothing else reported (or, for not_detect-only cases, none of those spans). */
function checkPii(c: Case): void {
  const got = found(c.input);
  if (c.expected.detect) expect(got, c.id).toEqual(c.expected.detect);
  for (const n of c.expected.not_detect ?? []) expect(got, c.id).not.toContainEqual(n);
}

function checkInjection(c: Case): void {
  const r = scoreInjection(c.input);
  expect(r.score >= (c.expected.threshold ?? 0.8), `${c.id}: score ${r.score} (${r.signals.map((s) => s.id).join(', ')})`).toBe(c.expected.block);
}

const publicCases = load('detection-public.jsonl');
// Every 5th corpus case: a fast, stable sample; `npm run bench:detect` measures the whole corpus.
const sample = (cases: Case[]): Case[] => cases.filter((_, i) => i % 5 === 0);

describe('public cases from real bug reports', () => {
  it('the copy in corpus/ holds every case', () => {
    expect(publicCases.length).toBeGreaterThanOrEqual(30);
  });
  for (const c of publicCases) {
    const run = () => (c.kind === 'pii' ? checkPii(c) : checkInjection(c));
    if (c.expected.tier === 'core') it(`${c.id} (core)`, run);
    else it(`${c.id} (stretch)`, run);
  }
});

describe('labeled corpus sample', () => {
  const pii = load('pii.jsonl');
  const injection = load('injection.jsonl');
  it('has at least 400 cases of each kind', () => {
    expect(pii.length).toBeGreaterThanOrEqual(400);
    expect(injection.length).toBeGreaterThanOrEqual(400);
    for (const entity of BUILTIN_ENTITIES) {
      expect(pii.some((c) => c.expected.detect?.some((d) => d.entity === entity)), `${entity} positives`).toBe(true);
    }
  });
  for (const c of sample(pii)) it(`pii ${c.id}`, () => checkPii(c));
  for (const c of sample(injection).filter((c) => c.expected.tier !== 'stretch')) it(`injection ${c.id}`, () => checkInjection(c));
});
