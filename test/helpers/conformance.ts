// Loads the conformance decision cases, runs one through any evaluator, and checks the outcome.
import { readFileSync, readdirSync } from 'node:fs';
import { expect } from 'vitest';
import type { ChatRequest, ChatResponse, Decision } from '../../src/runtime/types.js';

export interface DecisionCase {
  name: string;
  request: ChatRequest;
  /** What the upstream answers (response-phase cases); absent: request phase only. */
  response?: ChatResponse;
  expected: {
    verdict: 'allow' | 'redact' | 'block';
    code?: string;
    policy?: string;
    entities?: Record<string, number>;
    /** Substring of the JSON of the request sent upstream. */
    contains?: string;
    /** Substring of the JSON of the response the client receives. */
    responseContains?: string;
    mustNotContain?: string[];
  };
}

/** The combined result of a case: request phase, then (unless blocked) response phase. */
export interface CaseOutcome {
  verdict: Decision['verdict'];
  reasons: Array<Pick<Decision['reasons'][number], 'policy' | 'code'>>;
  redactions: Decision['redactions'];
  request?: ChatRequest;
  response?: ChatResponse;
}

/** Names of the case files in test/conformance, without `.cases.json`. */
export function caseFiles(): string[] {
  return readdirSync(new URL('../conformance/', import.meta.url))
    .filter((f) => f.endsWith('.cases.json'))
    .map((f) => f.replace(/\.cases\.json$/, ''))
    .sort();
}

export function loadCases(name: string): DecisionCase[] {
  return JSON.parse(readFileSync(new URL(`../conformance/${name}.cases.json`, import.meta.url), 'utf8')) as DecisionCase[];
}

/**
 * Runs a case through an evaluator pair sharing one env (marker table) across both phases,
 * the way the proxy does. Kept free of imports so it can be stringified into a child process.
 */
export function runCase(
  c: DecisionCase,
  evaluateRequest: (r: ChatRequest, env: object) => Decision,
  evaluateResponse: (r: ChatResponse, env: object) => Decision,
  env: object,
): CaseOutcome {
  const req = evaluateRequest(c.request, env);
  if (req.verdict === 'block' || !c.response) return { verdict: req.verdict, reasons: req.reasons, redactions: req.redactions, request: req.request };
  const res = evaluateResponse(c.response, env);
  const verdict = res.verdict === 'block' ? 'block' : req.verdict === 'redact' || res.verdict === 'redact' ? 'redact' : 'allow';
  return {
    verdict,
    reasons: [...req.reasons, ...res.reasons],
    redactions: [...req.redactions, ...res.redactions],
    request: req.request,
    ...(res.verdict === 'block' ? {} : { response: res.response }),
  };
}

/** Entity counts of a decision's redactions. */
export function entityCounts(d: Pick<Decision, 'redactions'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of d.redactions) out[r.entity] = (out[r.entity] ?? 0) + 1;
  return out;
}

/** Asserts that `outcome` (a Decision or a CaseOutcome) satisfies `c.expected`. */
export function expectDecision(c: DecisionCase, outcome: CaseOutcome): void {
  expect(outcome.verdict, c.name).toBe(c.expected.verdict);
  if (c.expected.code) expect(outcome.reasons.map((r) => r.code), c.name).toContain(c.expected.code);
  if (c.expected.policy) expect(outcome.reasons.map((r) => r.policy), c.name).toContain(c.expected.policy);
  if (c.expected.entities) expect(entityCounts(outcome), c.name).toEqual(c.expected.entities);
  const text = JSON.stringify(outcome.request ?? {});
  const responseText = JSON.stringify(outcome.response ?? {});
  if (c.expected.contains) expect(text, c.name).toContain(c.expected.contains);
  if (c.expected.responseContains) expect(responseText, c.name).toContain(c.expected.responseContains);
  for (const s of c.expected.mustNotContain ?? []) {
    expect(text, c.name).not.toContain(s);
    expect(responseText, c.name).not.toContain(s);
    expect(JSON.stringify(outcome.redactions), c.name).not.toContain(s);
  }
}
