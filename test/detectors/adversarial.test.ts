// Built-in patterns stay linear on adversarial 100 KB inputs: a catastrophic-backtracking regression would hang past the timeout.
import { describe, expect, it } from 'vitest';
import { CONTENT_CATEGORIES, findContent } from '../../src/runtime/detectors/content.js';
import { scoreInjection } from '../../src/runtime/detectors/injection.js';
import { normalize } from '../../src/runtime/detectors/normalize.js';
import { BUILTIN_ENTITIES, findPii } from '../../src/runtime/detectors/pii.js';

const SIZE = 100 * 1024;
const fill = (unit: string): string => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);

/** Inputs shaped to make naive PII / injection regexes backtrack: near-misses repeated without end. */
const ADVERSARIAL: Record<string, string> = {
  'digits and separators': fill('1 2-3.4 '),
  'one long digit run': fill('4'),
  'email local part without domain': fill('a.') + '@',
  'at signs': fill('a@'),
  'dotted quads that never end': fill('1.2.3.'),
  colons: fill('a:'),
  'hex and colons': fill('ab:cd:'),
  'key prefixes': fill('sk-a'),
  'upper-case iban-ish': fill('DE89 ABCD '),
  'phone near-miss': fill('+1 (2'),
  'spaced letters': fill('a b '),
  'trigger words without objects': fill('ignore all the previous '),
  'base64 alphabet': fill('QUJD'),
  'hex digits': fill('4a'),
  'percent escapes': fill('%2'),
  'zero-width soup': fill('i\u200bg\u200b'),
  'cyrillic': fill('іgnоrе '),
  'quotes and boundaries': fill('"<|im_'),
  'emoji between letters': fill('a🙂'),
  'emoji soup': fill('🙂🙂a'),
  'pipes between letters': fill('a|'),
  'concept words without end': fill('ignore your previous instructions system prompt '),
};

describe('adversarial 100 KB inputs finish quickly (linear patterns)', () => {
  for (const [name, text] of Object.entries(ADVERSARIAL)) {
    it(`${name}`, { timeout: 20_000 }, () => {
      expect(Array.isArray(findPii(text, BUILTIN_ENTITIES))).toBe(true);
      expect(scoreInjection(text).score).toBeGreaterThanOrEqual(0);
      expect(Array.isArray(findContent(text, { categories: CONTENT_CATEGORIES }))).toBe(true);
      expect(normalize(text).map.length).toBeGreaterThan(0);
    });
  }

  it('a slow custom pattern is bounded by the scan window', { timeout: 20_000 }, () => {
    // /a+b/ is quadratic on a run of "a" (each start scans to the end): ~5e9 steps on 100 KB at once,
    // ~2.5e8 in 4 KiB windows. (Exponential patterns are the linter's job: windows cannot save those.)
    const text = fill('a');
    expect(findPii(text, [], [{ entity: 'X', regex: /a+b/ }])).toEqual([]);
  });
});
