// Table tests for every lint rule: valid cases have no finding of the rule; invalid ones start at the named text.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/lint/lint.js';
import { RULES } from '../../src/lint/rules/index.js';
import { RULE_CASES } from './rule-cases.js';

/** 1-based line:column of the first `needle` (after `after`) in `text`. */
function positionOf(text: string, needle: string, after = ''): string {
  const from = after ? text.indexOf(after) + after.length : 0;
  const offset = text.indexOf(needle, from);
  if (offset < 0) throw new Error(`needle ${JSON.stringify(needle)} not in case text`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

describe('rule catalog', () => {
  it('every rule has cases, docs and a sorted, unique id', () => {
    const ids = RULES.map((r) => r.id);
    expect(ids).toEqual([...new Set(ids)].sort());
    expect(Object.keys(RULE_CASES).sort()).toEqual(ids);
    for (const rule of RULES) {
      expect(rule.meta.docs).toBe(`docs/rules/${rule.id}.md`);
      expect(existsSync(new URL(`../../${rule.meta.docs}`, import.meta.url)), rule.meta.docs).toBe(true);
      const doc = readFileSync(new URL(`../../${rule.meta.docs}`, import.meta.url), 'utf8');
      expect(doc).toContain(`# ${rule.id}`);
      expect(doc).toContain(rule.meta.defaultSeverity);
      expect(RULE_CASES[rule.id].valid.length).toBeGreaterThan(0);
    }
  });
});

for (const rule of RULES) {
  describe(`rule ${rule.id}`, () => {
    const cases = RULE_CASES[rule.id];
    cases.valid.forEach((yaml, i) => {
      it(`valid #${i + 1}`, () => {
        const { diagnostics } = lintText('case.yaml', yaml);
        expect(diagnostics.filter((d) => d.code === rule.id)).toEqual([]);
        expect(diagnostics.filter((d) => d.code.startsWith('schema/') || d.code.startsWith('yaml/'))).toEqual([]);
      });
    });
    cases.invalid.forEach((c, i) => {
      it(`invalid #${i + 1}`, () => {
        const { diagnostics } = lintText('case.yaml', c.yaml);
        expect(diagnostics.filter((d) => d.code.startsWith('schema/') || d.code.startsWith('yaml/'))).toEqual([]);
        const found = diagnostics.filter((d) => d.code === rule.id);
        expect(found.length, JSON.stringify(diagnostics, null, 1)).toBe(c.count ?? 1);
        expect(`${found[0].range.start.line}:${found[0].range.start.column}`).toBe(positionOf(c.yaml, c.at, c.after));
        expect(found[0].severity).toBe(rule.meta.defaultSeverity);
        if (c.message) expect(found[0].message).toContain(c.message);
        expect(found[0].docsUrl).toMatch(new RegExp(`/rules/${rule.id}\\.md$`));
      });
    });
  });
}
