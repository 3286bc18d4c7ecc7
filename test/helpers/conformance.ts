// Loads the conformance decision cases and checks a decision against one.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ChatRequest, Decision } from '../../src/runtime/types.js';

export interface DecisionCase {
  name: string;
  request: ChatRequest;
  expected: {
    verdict: 'allow' | 'redact' | 'block';
    code?: string;
    policy?: string;
    entities?: Record<string, number>;
    contains?: string;
    mustNotContain?: string[];
  };
}

export function loadCases(name: string): DecisionCase[] {
  return JSON.parse(readFileSync(new URL(`../conformance/${name}.cases.json`, import.meta.url), 'utf8')) as DecisionCase[];
}

/** Entity counts of a decision's redactions. */
export function entityCounts(d: Pick<Decision, 'redactions'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of d.redactions) out[r.entity] = (out[r.entity] ?? 0) + 1;
  return out;
}

/** Asserts that `decision` satisfies `c.expected`. */
export function expectDecision(c: DecisionCase, decision: Decision): void {
  expect(decision.verdict, c.name).toBe(c.expected.verdict);
  if (c.expected.code) expect(decision.reasons.map((r) => r.code), c.name).toContain(c.expected.code);
  if (c.expected.policy) expect(decision.reasons.map((r) => r.policy), c.name).toContain(c.expected.policy);
  if (c.expected.entities) expect(entityCounts(decision), c.name).toEqual(c.expected.entities);
  const text = JSON.stringify(decision.request ?? {});
  if (c.expected.contains) expect(text, c.name).toContain(c.expected.contains);
  for (const s of c.expected.mustNotContain ?? []) {
    expect(text, c.name).not.toContain(s);
    expect(JSON.stringify(decision.redactions), c.name).not.toContain(s);
  }
}
