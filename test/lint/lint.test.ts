import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/lint/lint.js';
import { MINI_PACK, runCli, SEED_PACK } from '../helpers/cli.js';

const seedText = readFileSync(SEED_PACK, 'utf8');

describe('lint', () => {
  it('both seed packs lint clean', () => {
    for (const file of [SEED_PACK, MINI_PACK]) {
      expect(lintText(file, readFileSync(file, 'utf8')).diagnostics).toEqual([]);
    }
  });

  it('a typo in a key is reported at its line and column with a did-you-mean', () => {
    const text = seedText.replace('retention_days', 'retention_dys');
    const { diagnostics } = lintText('p.yaml', text);
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0];
    expect(d.code).toBe('schema/unknown-key');
    const line = text.split('\n').findIndex((l) => l.includes('retention_dys')) + 1;
    const column = text.split('\n')[line - 1].indexOf('retention_dys') + 1;
    expect(d.range.start).toEqual({ line, column });
    expect(d.range.end).toEqual({ line, column: column + 'retention_dys'.length });
    expect(d.message).toContain('did you mean "retention_days"');
    expect(d.path).toEqual(['policy', 'audit-logger', 'retention_dys']);
  });

  it('a wrong value is underlined at the value', () => {
    const text = seedText.replace('action: block', 'action: blok');
    const [d] = lintText('p.yaml', text).diagnostics;
    expect(d.code).toBe('schema/not-allowed');
    expect(d.message).toContain('did you mean "block"');
    const line = text.split('\n').findIndex((l) => l.includes('blok')) + 1;
    expect(d.range.start).toEqual({ line, column: text.split('\n')[line - 1].indexOf('blok') + 1 });
  });

  it('pii-detector non_text_parts: maybe is one schema error underlining the value, naming allow and block', () => {
    const text = seedText.replace('    action: redact\n', '    action: redact\n    non_text_parts: maybe\n');
    const { diagnostics } = lintText('p.yaml', text);
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d.code).toBe('schema/not-allowed');
    expect(d.severity).toBe('error');
    expect(d.path).toEqual(['policy', 'pii-detector', 'non_text_parts']);
    expect(d.message).toMatch(/allow[\s\S]*block/);
    const line = text.split('\n').findIndex((l) => l.includes('non_text_parts: maybe')) + 1;
    const column = text.split('\n')[line - 1].indexOf('maybe') + 1;
    expect(d.range).toEqual({ start: { line, column }, end: { line, column: column + 'maybe'.length } });
    expect(lintText('p.yaml', seedText.replace('    action: redact\n', '    action: redact\n    non_text_parts: block\n')).diagnostics).toEqual([]);
  });

  it('a missing required key points at the parent key', () => {
    const text = seedText.replace('  enabled: true\n', '');
    const [d] = lintText('p.yaml', text).diagnostics;
    expect(d.code).toBe('schema/missing-key');
    expect(d.message).toContain('"enabled"');
    expect(d.range.start).toEqual({ line: 1, column: 1 });
  });

  it('a key missing from the document or a list item points at its first key, not at every line it spans', () => {
    const [root] = lintText('p.yaml', seedText.replace(/^policies:\n  chain:\n(    - .*\n)+/m, '')).diagnostics;
    expect(root.message).toBe('missing required key "policies" in the document');
    expect(root.range).toEqual({ start: { line: 1, column: 1 }, end: { line: 1, column: 5 } });
    const [item] = lintText('p.yaml', seedText.replace('    - id: chatgpt-enterprise\n      provider', '    - provider')).diagnostics;
    expect(item.message).toBe('missing required key "id" in providers.targets[0]');
    expect(item.range).toEqual({ start: { line: 7, column: 7 }, end: { line: 7, column: 15 } });
  });

  it('an unknown chain kind gets a did-you-mean', () => {
    const text = seedText.replace('    - pii-detector\n', '    - pii-detecter\n');
    const [d] = lintText('p.yaml', text).diagnostics;
    expect(d.code).toBe('chain-unknown-kind');
    expect(d.message).toContain('did you mean "pii-detector"');
  });

  it('malformed YAML is a yaml/ diagnostic, not a crash', () => {
    const { diagnostics } = lintText('p.yaml', 'pack: [unclosed\n');
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0].code).toMatch(/^yaml\//);
  });

  it('messages and hints say what was written: numbers as written, percent hints only for percentages, each target id once', () => {
    const version = lintText('p.yaml', seedText.replace('version: 1.0.0', 'version: 1.0')).diagnostics;
    expect(version.map((d) => d.message)).toEqual(['pack.version must be a string, got number 1.0']);
    const secret = lintText('p.yaml', seedText.replace('        env: OPENAI_API_KEY', '        env: OPENAI_API_KEY\n      api_key: 1234567890')).diagnostics;
    expect(secret.map((d) => d.message)).toEqual(['providers.targets[0].api_key must be a string, got a number']);
    const hint = (threshold: string) => lintText('p.yaml', seedText.replace('threshold: 0.8', `threshold: ${threshold}`)).diagnostics[0].hint;
    expect(hint('80')).toBe('scores are fractions: write 0.8 for 80%');
    expect(hint('1.5')).toBe('use a value between 0 and 1');
    const twice = seedText.replace('    - id: chatgpt-enterprise\n', '    - id: backup\n      provider: openai:chat:gpt-4o-mini\n      secret_key_ref: {env: OPENAI_API_KEY}\n    - id: backup\n      provider: openai:chat:gpt-4o\n      secret_key_ref: {env: OPENAI_API_KEY}\n    - id: chatgpt-enterprise\n');
    const fallback = lintText('p.yaml', `${twice}provider_fallback:\n  targets: [bakup]\n`).diagnostics.find((d) => d.code === 'fallback-unknown-target');
    expect(fallback?.hint).toBe('target ids: backup, chatgpt-enterprise');
  });

  it('wrong types of the usual kinds come with the fix', () => {
    const hintFor = (from: string, to: string) => lintText('p.yaml', seedText.replace(from, to)).diagnostics.map((d) => d.hint);
    expect(hintFor('retention_days: 365', 'retention_days: "365"')).toEqual(['remove the quotes: numbers are written bare']);
    expect(hintFor('immutable: true', 'immutable: "true"')).toEqual(['remove the quotes: write true']);
    expect(hintFor('version: 1.0.0', 'version: 1.0')).toEqual(['quote it; a pack version is a semantic version: version: "1.0.0"']);
    expect(hintFor('name: chatgpt-enterprise-gateway', 'name: 2024')).toEqual(['quote it: "2024"']);
    // A secret written as a number is never echoed back in the hint.
    const secretHint = hintFor('        env: OPENAI_API_KEY', '        env: OPENAI_API_KEY\n      api_key: 1234567890');
    expect(secretHint.join(' ')).not.toContain('1234567890');
    expect(hintFor('entities:\n      - EMAIL\n      - PHONE\n      - SSN\n      - CREDIT_CARD\n', 'entities: EMAIL, PHONE\n')).toEqual(['write a YAML list: [EMAIL, PHONE]']);
    expect(hintFor('      secret_key_ref:\n        env: OPENAI_API_KEY', '      secret_key_ref: OPENAI_API_KEY')).toEqual(['use the object form: `secret_key_ref: {env: NAME}` (or `{store: NAME}`)']);
    expect(hintFor('    action: block\n', '    action: block\n    detection: {attack_patterns: "a{1,3}b"}\n')).toEqual(["write a YAML list: ['a{1,3}b']"]);
    const both = lintText('p.yaml', seedText.replace('env: OPENAI_API_KEY', 'env: OPENAI_API_KEY\n        store: openai')).diagnostics;
    expect(both.map((d) => d.message)).toEqual(['providers.targets[0].secret_key_ref takes exactly one of `env` or `store`, not both']);
  });

  it('duplicate keys are reported', () => {
    const text = seedText.replace('  version: 1.0.0\n', '  version: 1.0.0\n  version: 1.0.1\n');
    const [d] = lintText('p.yaml', text).diagnostics;
    expect(d.code).toBe('yaml/duplicate-key');
    expect(d.range.start.line).toBe(4);
  });
});

describe('ktpack lint (CLI)', () => {
  it('exits 0 on the seed packs', async () => {
    const r = await runCli(['lint', SEED_PACK, MINI_PACK]);
    expect(r.code).toBe(0);
  });

  it('prints file:line:col severity message code and exits 1', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/ktpack-lint-');
    const file = `${dir}/p.yaml`;
    writeFileSync(file, seedText.replace('log_all_access', 'log_all_acces'));
    const r = await runCli(['lint', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${file}:30:5 error unknown key "log_all_acces" in policy\\.audit-logger; did you mean "log_all_access"\\? schema/unknown-key$`, 'm'));
  });

  it('exits 2 on a missing file, without a stack trace', async () => {
    const r = await runCli(['lint', '/definitely/not/here.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on an unknown option', async () => {
    const r = await runCli(['lint', '--bogus', SEED_PACK]);
    expect(r.code).toBe(2);
  });
});
