// Decision cases for pii-detector, prompt-injection and content-filter, compiled from YAML and replayed through evaluate().
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compile } from '../../src/compile/compile.js';
import { getKind } from '../../src/kinds/index.js';
import { lintDocument } from '../../src/lint/lint.js';
import { loadDocument } from '../../src/load/document.js';
import { evaluate } from '../../src/runtime/evaluate.js';
import type { ChatRequest, ChatResponse, PolicyIr } from '../../src/runtime/types.js';

interface KindCase {
  name: string;
  policy: Record<string, Record<string, unknown>>;
  request: ChatRequest;
  expected: {
    verdict: 'allow' | 'redact' | 'block';
    code?: string;
    outcome?: string;
    message?: string;
    messageIncludes?: string[];
    texts?: string[];
    entities?: Record<string, number>;
    paths?: string[];
    mustNotContain?: string[];
  };
}

/** Compiles a pack with `policy` as its chain, failing the test on any lint or compile diagnostic. */
export function packIr(policy: Record<string, Record<string, unknown>>): PolicyIr {
  const text = YAML.stringify({
    pack: { name: 'kinds-test', version: '1.0.0', enabled: true },
    providers: { targets: [{ id: 't', provider: 'openai:chat:gpt-4o-mini' }] },
    policies: { chain: Object.keys(policy) },
    policy,
  });
  const doc = loadDocument('policy-config.yaml', text);
  const errors = lintDocument(doc).filter((d) => d.severity === 'error');
  expect(errors, JSON.stringify(errors)).toEqual([]);
  const { ir, diagnostics } = compile(doc);
  expect(diagnostics).toEqual([]);
  return ir!;
}

const cases = JSON.parse(readFileSync(new URL('./detection-kinds.cases.json', import.meta.url), 'utf8')) as KindCase[];

describe('detection kinds: decision cases', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = evaluate(packIr(c.policy), { phase: 'request', request: c.request });
      const e = c.expected;
      expect(d.verdict).toBe(e.verdict);
      if (e.code) expect(d.reasons.map((r) => r.code)).toContain(e.code);
      if (e.outcome) expect(d.policies.map((p) => p.outcome)).toContain(e.outcome);
      if (e.message) expect(d.reasons.map((r) => r.message)).toContain(e.message);
      for (const part of e.messageIncludes ?? []) expect(d.reasons.map((r) => r.message).join('\n')).toContain(part);
      if (e.texts) expect(d.request!.messages.map((m) => m.content)).toEqual(e.texts);
      if (e.entities) {
        const counts: Record<string, number> = {};
        for (const r of d.redactions) counts[r.entity] = (counts[r.entity] ?? 0) + 1;
        expect(counts).toEqual(e.entities);
      }
      if (e.paths) expect(d.redactions.map((r) => r.path)).toEqual(e.paths);
      for (const secret of e.mustNotContain ?? []) {
        expect(JSON.stringify({ reasons: d.reasons, redactions: d.redactions, request: d.request ?? null })).not.toContain(secret);
      }
      if (d.request) {
        for (const m of d.request.messages) for (const t of m.tool_calls ?? []) expect(() => JSON.parse(t.function!.arguments!)).not.toThrow();
      }
    });
  }
});

describe('response phase', () => {
  const response = (content: string): ChatResponse => ({ choices: [0, 1].map((index) => ({ index, message: { role: 'assistant', content }, finish_reason: 'stop' })) });

  it('pii-detector redacts every choice and keeps request markers', () => {
    const ir = packIr({ 'pii-detector': {} });
    const markers = { byValue: new Map<string, string>(), counters: new Map<string, number>() };
    evaluate(ir, { phase: 'request', request: { messages: [{ role: 'user', content: 'I am amy@example.com' }] } }, { markers });
    const d = evaluate(ir, { phase: 'response', response: response('Hi amy@example.com, and zed@example.com') }, { markers });
    expect(d.response!.choices.map((c) => c.message!.content)).toEqual(['Hi [EMAIL_1], and [EMAIL_2]', 'Hi [EMAIL_1], and [EMAIL_2]']);
  });

  it('scan_responses false leaves responses alone', () => {
    const d = evaluate(packIr({ 'pii-detector': { scan_responses: false } }), { phase: 'response', response: response('amy@example.com') });
    expect(d.verdict).toBe('allow');
  });

  it('content-filter blocks output', () => {
    const d = evaluate(packIr({ 'content-filter': { categories: ['drugs'] } }), { phase: 'response', response: response('Step one: how to cook meth at home') });
    expect(d.verdict).toBe('block');
    expect(d.reasons[0].message).toBe('Response blocked: restricted content (drugs in choices[0].message.content, choices[1].message.content)');
  });
});

describe('kind checks', () => {
  it.each([
    ['pii-detector', { detect_patterns: ['a(b'] }, 'invalid-regex'],
    ['pii-detector', { entities: ['EMAIL', 'PASSPORT'] }, 'unknown-pii-entity'],
    ['prompt-injection', { threshold: 1.5 }, 'threshold-range'],
    ['prompt-injection', { detection: { attack_patterns: ['(?<'] } }, 'invalid-regex'],
    ['content-filter', { blocked_patterns: ['[z-a]'] }, 'invalid-regex'],
    ['content-filter', { categories: [] }, 'content-filter-empty'],
  ])('%s %j reports %s', (kind, options, code) => {
    expect(getKind(kind)!.check!(options).map((f) => f.code)).toContain(code);
  });

  it.each([
    ['pii-detector', { entities: ['EMAIL'], detect_patterns: ['EMP-\\d+', 'ssn'] }],
    ['prompt-injection', { threshold: 0.8, detection: { attack_patterns: ['x+y'] } }],
    ['content-filter', { categories: ['hate'], blocked_patterns: ['\\bfoo\\b'] }],
  ])('%s %j is clean', (kind, options) => {
    expect(getKind(kind)!.check!(options)).toEqual([]);
  });
});
