// Hostile and odd inputs: alias bombs, huge files, binary garbage, prototype keys, BOM/CRLF positions.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { loadDocument } from '../../src/load/document.js';
import { lintText } from '../../src/lint/lint.js';
import { SEED_PACK } from '../helpers/cli.js';

const seed = readFileSync(SEED_PACK, 'utf8');

describe('bad input', () => {
  it('rejects a billion-laughs alias bomb with a clear message instead of expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    // Expanding it would take minutes and gigabytes (the test would time out); the time of the refusal
    // is measured by `npm run bench` (bench/suites/lint.mjs), not asserted here.
    const { diagnostics } = lintText('bomb.yaml', `${levels.join('\n')}\n`);
    expect(diagnostics.map((d) => d.code)).toEqual(['yaml/alias-limit']);
    expect(diagnostics[0].message).toContain('alias bomb');
  });

  it('says a hopelessly nested document is nested too deeply, not that a stack overflowed', () => {
    for (const text of [`pack: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, `pack:\n${Array.from({ length: 3000 }, (_, i) => `${'  '.repeat(i + 1)}k:\n`).join('')}`]) {
      const { diagnostics } = lintText('deep.yaml', text);
      expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
      for (const d of diagnostics) expect(d.message).not.toMatch(/call stack/i);
      expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/nested too deeply/);
    }
  });

  it('handles a 10 MB pack: over the limit is refused cleanly, just under is linted', () => {
    const filler = `# ${'x'.repeat(98)}\n`;
    const big = seed + filler.repeat(Math.ceil((10 * 1024 * 1024) / filler.length));
    const refused = lintText('big.yaml', big).diagnostics;
    expect(refused.map((d) => d.code)).toEqual(['yaml/too-large']);
    const under = seed + filler.repeat(Math.floor((10 * 1024 * 1024 - seed.length - 10) / filler.length));
    expect(lintText('under.yaml', under).diagnostics).toEqual([]);
  });

  it('binary garbage is one clear diagnostic', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('utf8');
    const { diagnostics } = lintText('garbage.bin', garbage);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].code).toBe('yaml/binary');
  });

  it('bytes that are not UTF-8 are one yaml/encoding diagnostic at the first bad byte', () => {
    const latin1 = Buffer.from(seed.replace('name: chatgpt-enterprise-gateway', 'name: café-gateway'), 'latin1');
    const { diagnostics } = lintText('l.yaml', latin1);
    expect(diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.column}`)).toEqual(['yaml/encoding 2:12']);
    // The same text as UTF-8 bytes lints clean; UTF-16 has NUL bytes.
    expect(lintText('u.yaml', Buffer.from(seed.replace('name: chatgpt-enterprise-gateway', 'name: café-gateway'))).diagnostics).toEqual([]);
    expect(lintText('w.yaml', Buffer.from(`\ufeff${seed}`, 'utf16le')).diagnostics.map((d) => d.code)).toEqual(['yaml/binary']);
  });

  it('__proto__ and constructor keys neither pollute prototypes nor crash', () => {
    const text = seed.replace('policy:\n', 'policy:\n  __proto__:\n    polluted: yes\n  constructor:\n    prototype:\n      polluted2: yes\n');
    const doc = loadDocument('p.yaml', text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted2).toBeUndefined();
    const { diagnostics } = lintText('p.yaml', text);
    expect(diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.column}`)).toEqual(['schema/unknown-key 17:3', 'schema/unknown-key 19:3']);
    expect(doc.data).toBeDefined();
  });

  it('columns ignore a BOM and lines count CRLF once', () => {
    const text = `\ufeff${seed.replace('retention_days', 'retention_dys')}`.replace(/\n/g, '\r\n');
    const [d] = lintText('p.yaml', text).diagnostics;
    expect(d.code).toBe('schema/unknown-key');
    expect(d.range).toEqual({ start: { line: 29, column: 5 }, end: { line: 29, column: 18 } });
  });

  it('every YAML problem has one of the documented codes', () => {
    const documented = [...readFileSync(new URL('../../docs/diagnostics.md', import.meta.url), 'utf8').matchAll(/^\| `(yaml\/[a-z-]+)`/gm)].map((m) => m[1]);
    const inputs = ['pack: !custom a\n', 'pack: !!int x\n', 'pack: !!map [a]\n', 'a: [b\n  c: }\n', '"a\\q": 1\n', 'a: &x &y 1\n', 'a: !t !u 1\n', '- a\nb: 1\n', 'a:\n  - b\n c: 1\n', `${'k'.repeat(1100)}: 1\n`, '@a: 1\n', 'a: {b: [c}\n', '? a\n? a\n'];
    for (const input of inputs) {
      for (const d of lintText('x.yaml', input).diagnostics.filter((x) => x.code.startsWith('yaml/'))) expect(documented, `${JSON.stringify(input)} -> ${d.code}`).toContain(d.code);
    }
  });

  it('never throws, whatever the bytes', () => {
    const inputs = ['', '\n', '---', '--- !!binary', '[', '{', ']', '&a *a', '!!js/function "x"', 'a: !!str', '? [a]\n: b', '"\\u0000"', '%YAML 9.9\n---\na: 1', 'a:\n\t- b'];
    for (const input of inputs) {
      expect(() => lintText('x.yaml', input), JSON.stringify(input)).not.toThrow();
      for (const d of lintText('x.yaml', input).diagnostics) expect(d.range.start.line).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('terminal safety', () => {
  it('escape sequences in keys are escaped in messages', () => {
    const text = seed.replace('  enabled: true\n', '  enabled: true\n  "\\e[2Jx\\a": 1\n');
    const [d] = lintText('p.yaml', text).diagnostics;
    expect(d.code).toBe('schema/unknown-key');
    expect(d.message).toContain('\\u001b[2Jx\\u0007');
    expect(d.message).not.toMatch(/[\u0000-\u001f]/);
  });
});
