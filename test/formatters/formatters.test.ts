// Exact-output tests of the five formatters on one fixed set of diagnostics.
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { formatGithub } from '../../src/formatters/github.js';
import { formatJson } from '../../src/formatters/json.js';
import { formatJunit } from '../../src/formatters/junit.js';
import { formatSarif } from '../../src/formatters/sarif.js';
import { formatStylish, loadColor } from '../../src/formatters/stylish.js';
import type { FileReport } from '../../src/formatters/types.js';

const text = 'pack:\n  name: demo\n  enabled: maybe\npolicies:\n  chain: [pii-detecter]\n';
const diags: Diagnostic[] = [
  {
    code: 'schema/wrong-type',
    severity: 'error',
    message: 'pack.enabled must be a boolean, got the string "maybe"',
    source: 'packs/a b/policy-config.yaml',
    path: ['pack', 'enabled'],
    range: { start: { line: 3, column: 12 }, end: { line: 3, column: 17 } },
    docsUrl: 'https://example.test/docs/diagnostics.md#schema',
  },
  {
    code: 'chain-unknown-kind',
    severity: 'warning',
    message: 'unknown policy kind "pii-detecter", with: a colon, a comma & <xml>',
    source: 'packs/a b/policy-config.yaml',
    path: ['policies', 'chain', 0],
    range: { start: { line: 5, column: 11 }, end: { line: 5, column: 23 } },
    hint: 'replace with "pii-detector"',
  },
];
const reports: FileReport[] = [{ source: 'packs/a b/policy-config.yaml', text, diagnostics: diags }, { source: 'clean.yaml', text: 'pack: {}\n', diagnostics: [] }];

describe('formatters', () => {
  it('stylish: location line, code frame with caret, help, summary; no colour unless asked', async () => {
    expect(formatStylish(reports)).toBe(
      [
        'packs/a b/policy-config.yaml:3:12 error pack.enabled must be a boolean, got the string "maybe" schema/wrong-type',
        '  2 |   name: demo',
        '> 3 |   enabled: maybe',
        '    |            ^^^^^',
        'packs/a b/policy-config.yaml:5:11 warning unknown policy kind "pii-detecter", with: a colon, a comma & <xml> chain-unknown-kind',
        '  4 | policies:',
        '> 5 |   chain: [pii-detecter]',
        '    |           ^^^^^^^^^^^^',
        '  help: replace with "pii-detector"',
        '',
        '1 error, 1 warning',
        '',
      ].join('\n'),
    );
    expect(formatStylish(reports)).not.toMatch(/\u001b\[/);
    expect(formatStylish(reports, { color: true })).not.toMatch(/\u001b\[/);
    await loadColor();
    expect(formatStylish(reports, { color: true })).toMatch(/\u001b\[31merror/);
    expect(formatStylish([])).toBe('');
    // Infos are counted too (they fail a run with --fail-level info).
    const info = formatStylish([{ source: 'i.yaml', diagnostics: [{ ...diags[1], severity: 'info', source: 'i.yaml' }] }]);
    expect(info.endsWith('\n0 errors, 0 warnings, 1 info\n')).toBe(true);
    const raw = formatStylish([{ source: 'x.bin', text: 'A\u001b[2J\u0007B\n', diagnostics: [{ ...diags[0], source: 'x.bin', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } } }] }]);
    expect(raw).toContain('> 1 | A\ufffd[2J\ufffdB');
    expect(raw).not.toMatch(/[\u0007\u001b]/);
  });

  it('stylish: the caret sits under the offending text when wide characters and tabs come before it', () => {
    const wide = 'pack: {name: "日本語🎉", auteur: x}\n';
    // "auteur" starts at UTF-16 column 23; the three CJK characters and the emoji before it take 8 terminal cells, not 5.
    const d: Diagnostic = { ...diags[0], message: 'm', source: 'w.yaml', range: { start: { line: 1, column: 23 }, end: { line: 1, column: 29 } } };
    const out = formatStylish([{ source: 'w.yaml', text: wide, diagnostics: [d] }]).split('\n');
    expect(out[1]).toBe('> 1 | pack: {name: "日本語🎉", auteur: x}');
    expect(out[2]).toBe(`    | ${' '.repeat(25)}^^^^^^`);
    const tab = formatStylish([{ source: 't.yaml', text: 'a:\tbogus\n', diagnostics: [{ ...d, source: 't.yaml', range: { start: { line: 1, column: 4 }, end: { line: 1, column: 9 } } }] }]).split('\n');
    expect(tab[1]).toBe('> 1 | a: bogus');
    expect(tab[2]).toBe('    |    ^^^^^');
  });

  it('github: escaped workflow commands, info as notice', () => {
    expect(formatGithub(reports)).toBe(
      '::error file=packs/a b/policy-config.yaml,line=3,col=12,endLine=3,endColumn=17,title=ktpack schema/wrong-type::pack.enabled must be a boolean, got the string "maybe"\n' +
        '::warning file=packs/a b/policy-config.yaml,line=5,col=11,endLine=5,endColumn=23,title=ktpack chain-unknown-kind::unknown policy kind "pii-detecter", with: a colon, a comma & <xml> (replace with "pii-detector")\n',
    );
    const tricky = formatGithub([{ source: 'x,y:z.yaml', diagnostics: [{ ...diags[0], severity: 'info', message: '100%\nnext', source: 'x,y:z.yaml' }] }]);
    expect(tricky).toBe('::notice file=x%2Cy%3Az.yaml,line=3,col=12,endLine=3,endColumn=17,title=ktpack schema/wrong-type::100%25%0Anext\n');
  });

  it('json: counts, ranges, paths and hints', () => {
    const parsed = JSON.parse(formatJson(reports));
    expect(parsed).toMatchObject({ version: 1, errorCount: 1, warningCount: 1 });
    expect(parsed.files).toHaveLength(2);
    expect(parsed.files[0].diagnostics[1]).toEqual({
      code: 'chain-unknown-kind',
      severity: 'warning',
      message: diags[1].message,
      source: 'packs/a b/policy-config.yaml',
      path: ['policies', 'chain', 0],
      range: diags[1].range,
      hint: 'replace with "pii-detector"',
    });
  });

  it('junit: one failing case per diagnostic, escaped, a passing case for a clean file', () => {
    const out = formatJunit(reports);
    expect(out).toContain('<testsuites name="ktpack lint" tests="3" failures="2" errors="0">');
    expect(out).toContain('<failure type="warning" message="unknown policy kind &quot;pii-detecter&quot;, with: a colon, a comma &amp; &lt;xml&gt;">');
    expect(out).toContain('<testsuite name="clean.yaml" tests="1" failures="0" errors="0">');
    expect(out).toContain('<testcase name="ktpack lint" classname="clean.yaml"/>');
  });

  it('sarif: 2.1.0 with relative encoded URIs, 1-based regions, snippets, rule index', () => {
    const log = JSON.parse(formatSarif(reports, { version: '9.9.9' }));
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('ktpack');
    expect(run.tool.driver.version).toBe('9.9.9');
    expect(run.results).toHaveLength(2);
    const [r0, r1] = run.results;
    expect(r0.level).toBe('error');
    expect(r1.level).toBe('warning');
    expect(r0.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'packs/a%20b/policy-config.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, startColumn: 12, endLine: 3, endColumn: 17, snippet: { text: '  enabled: maybe' } },
    });
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(r.locations.length).toBeGreaterThanOrEqual(1);
      expect(r.message.text.length).toBeGreaterThan(0);
    }
    const clean = JSON.parse(formatSarif([{ source: 'clean.yaml', diagnostics: [] }]));
    expect(clean.runs[0].results).toEqual([]);
  });
});

describe('sarif accepted by GitHub code scanning', () => {
  // The OASIS SARIF 2.1.0 JSON schema (draft-04), as Microsoft's SARIF test matchers ship it.
  const require = createRequire(import.meta.url);
  const sarifSchema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const validate = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }).compile(sarifSchema);

  it('real lint output of odd files is schema-valid and meets GitHub ingestion rules', async () => {
    const { lintText } = await import('../../src/lint/lint.js');
    const files: Array<[string, string]> = [
      ['packs/a b/policy-config.yaml', 'pack:\n  name: x\n  version: 1.0\n  enabled: true\npolicies:\n  chain: [pii-detecter]\n'],
      ['/abs/outside/policy-config.yaml', 'pack: [\n'],
      ['<stdin>', ''],
      ['clean.yaml', 'pack: {name: a, version: 1.0.0, enabled: true}\npolicies: {chain: [audit-logger]}\npolicy: {audit-logger: {}}\n'],
      ['multi.yaml', `pack: {name: a, version: 1.0.0, enabled: true}\npolicies: {chain: []}\nprivate: |\n  -----BEGIN PRIVATE KEY-----\n  MIIE\n  -----END PRIVATE KEY-----\n`],
    ];
    const reports = files.map(([source, text]) => {
      const r = lintText(source, text);
      return { source, text: r.maskedText, diagnostics: r.diagnostics };
    });
    const log = JSON.parse(formatSarif(reports, { version: '1.2.3' }));
    expect(validate(log), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const run = log.runs[0];
    expect(run.results.length).toBeGreaterThan(4);
    for (const rule of run.tool.driver.rules) {
      // GitHub (GH2012): every reportingDescriptor needs fullDescription and help.
      expect(rule.fullDescription.text.length, rule.id).toBeGreaterThan(0);
      expect(rule.help.text.length, rule.id).toBeGreaterThan(0);
      expect(rule.helpUri).toMatch(/^https:\/\//);
    }
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(r.locations.length).toBeGreaterThanOrEqual(1);
      const { artifactLocation, region } = r.locations[0].physicalLocation;
      expect(region.startLine).toBeGreaterThanOrEqual(1);
      expect(region.startColumn).toBeGreaterThanOrEqual(1);
      expect(region.endLine).toBeGreaterThanOrEqual(region.startLine);
      if (artifactLocation.uriBaseId !== undefined) expect(artifactLocation.uri).toMatch(/^(?![a-z]+:)(?!\/)/);
      else expect(artifactLocation.uri).toMatch(/^file:\/\/\//);
    }
    const uris = new Set(run.results.map((r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => r.locations[0].physicalLocation.artifactLocation.uri));
    expect([...uris].sort()).toEqual(['%3Cstdin%3E', 'file:///abs/outside/policy-config.yaml', 'multi.yaml', 'packs/a%20b/policy-config.yaml']);
    const clean = JSON.parse(formatSarif([reports[3]]));
    expect(validate(clean)).toBe(true);
    expect(clean.runs[0].results).toEqual([]);
  });
});
