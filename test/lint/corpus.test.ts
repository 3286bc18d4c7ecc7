// The broken-pack corpus: each file's expected diagnostics (exact code and line:col) are in corpus/expected.json.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/lint/lint.js';

const dir = new URL('./corpus/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, Array<{ code: string; line: number; column: number }>>;
const files = readdirSync(dir).filter((f) => /\.(yaml|bin)$/.test(f)).sort();

describe('broken-pack corpus', () => {
  it('has at least 100 cases, each with expectations', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
    expect(Object.keys(expected).sort()).toEqual(files);
    for (const f of files) expect(expected[f].length, f).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file, () => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const { diagnostics } = lintText(file, text);
      const got = diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.column}`);
      for (const e of expected[file]) expect(got, JSON.stringify(diagnostics.map((d) => [d.code, d.message]))).toContain(`${e.code}@${e.line}:${e.column}`);
      // One mistake, one diagnostic: every error is one of the expected ones.
      const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}@${d.range.start.line}:${d.range.start.column}`);
      const wanted = expected[file].map((e) => `${e.code}@${e.line}:${e.column}`);
      expect(errors.filter((e) => !wanted.includes(e))).toEqual([]);
      for (const d of diagnostics) {
        expect(d.message).not.toMatch(/must match "then"|must match exactly one schema|must NOT have|\n\s+at /);
        expect(d.range.start.line).toBeGreaterThanOrEqual(1);
        expect(d.range.start.column).toBeGreaterThanOrEqual(1);
      }
    });
  }
});
