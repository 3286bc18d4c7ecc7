// redactions[].start/end index the original text even when several transform policies run in a row.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { loadDocument } from '../../src/load/document.js';
import { evaluate } from '../../src/runtime/evaluate.js';
import { composeSegments, toOriginal } from '../../src/runtime/offset-map.js';
import type { IrStep, PolicyIr } from '../../src/runtime/types.js';

const src = { file: 'policy-config.yaml', path: 'policy', line: 1 };
const step = (policy: string, entities: string[]): IrStep => ({ policy, kind: 'pii-detector', action: 'redact', options: { entities, customPatterns: [], scanResponses: true, markers: { format: 'label', preserveLength: false, customMarkers: {} } }, src });
const ir = (steps: IrStep[]): PolicyIr => ({
  irVersion: 1,
  pack: { name: 't', version: '1.0.0', enabled: true },
  request: steps,
  response: [],
  targets: [],
  audit: null,
  fallback: { enabled: false, order: [], triggers: [], maxAttempts: 0, src },
});

describe('redaction offsets across chained transforms', () => {
  const TEXTS = [
    'mail a@b.io or call 555-867-5309, then a@b.io and 123-45-6789.',
    'call 555-867-5309 first; long.name@example.com; ssn 078-05-1120 last',
  ];
  for (const text of TEXTS) {
    it(`second policy's spans point into the original text: ${text}`, () => {
      const d = evaluate(ir([step('emails', ['EMAIL']), step('numbers', ['PHONE', 'SSN'])]), {
        phase: 'request',
        request: { messages: [{ role: 'user', content: text }] },
      });
      expect(d.policies.map((p) => p.outcome)).toEqual(['redact', 'redact']);
      for (const r of d.redactions) {
        const value = text.slice(r.start, r.end);
        if (r.entity === 'EMAIL') expect(value).toMatch(/^[\w.]+@[\w.]+$/);
        if (r.entity === 'PHONE') expect(value).toBe('555-867-5309');
        if (r.entity === 'SSN') expect(value).toMatch(/^\d{3}-\d{2}-\d{4}$/);
      }
      // Rebuilding from the original with the reported spans gives the evaluator's output.
      let rebuilt = '';
      let last = 0;
      for (const r of [...d.redactions].sort((a, b) => a.start - b.start)) {
        rebuilt += text.slice(last, r.start) + r.marker;
        last = r.end;
      }
      expect(d.request!.messages[0].content).toBe(rebuilt + text.slice(last));
    });
  }

  it('content-filter then pii-detector: both report original offsets', () => {
    const yaml = `pack: {name: cf, version: 1.0.0, enabled: true}
policies:
  chain: [content-filter, pii-detector]
policy:
  content-filter: {action: redact, blocked_terms: [project falcon]}
  pii-detector: {action: redact}
`;
    const chained = compile(loadDocument('policy-config.yaml', yaml)).ir!;
    const text = 'About project falcon: mail a@b.io and call 555-867-5309 re project falcon.';
    const d = evaluate(chained, { phase: 'request', request: { messages: [{ role: 'user', content: text }] } });
    expect(d.redactions.map((r) => [r.policy, text.slice(r.start, r.end)])).toEqual([
      ['content-filter', 'project falcon'],
      ['content-filter', 'project falcon'],
      ['pii-detector', 'a@b.io'],
      ['pii-detector', '555-867-5309'],
    ]);
  });

  it('toOriginal widens a span that touches an earlier replacement', () => {
    // "ab[X]cd" where [X] (3 chars at 2..5) replaced original 2..10
    const segs = composeSegments([], [{ start: 2, end: 10, length: 3 }]);
    expect([toOriginal(segs, 1, 'start'), toOriginal(segs, 3, 'start'), toOriginal(segs, 4, 'end'), toOriginal(segs, 6, 'end')]).toEqual([1, 2, 10, 11]);
    const again = composeSegments(segs, [{ start: 0, end: 1, length: 4 }, { start: 5, end: 6, length: 0 }]);
    expect(again.map((s) => [s.os, s.oe])).toEqual([[0, 1], [2, 10], [10, 11]]);
    expect(toOriginal(again, 9, 'start')).toBe(12);
  });
});
