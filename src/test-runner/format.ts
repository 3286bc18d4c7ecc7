// Renders test runs for humans, as JSON (the documented {ok, results} shape) and as JUnit XML. Pure functions.
import { formatStylish } from '../formatters/stylish.js';
import type { CoverageReport } from './coverage.js';
import type { PackRun } from './run-tests.js';

/** Counts of a run. */
export function summarize(runs: readonly PackRun[]): { passed: number; failed: number; broken: number } {
  const results = runs.flatMap((r) => r.results);
  return {
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    broken: runs.filter((r) => r.diagnostics.length > 0).length,
  };
}

/** Human-readable report. */
export function formatTestsHuman(runs: readonly PackRun[], coverage?: CoverageReport): string {
  const lines: string[] = [];
  for (const run of runs) {
    lines.push(run.pack);
    if (run.diagnostics.length > 0) {
      lines.push('  pack has errors; no test ran:', ...formatStylish(run.diagnostics).trimEnd().split('\n').filter(Boolean).map((l) => `    ${l}`));
      continue;
    }
    if (run.results.length === 0) lines.push('  (no tests)');
    for (const r of run.results) {
      lines.push(`  ${r.passed ? '✓' : '✗'} ${r.name}  ${r.file}`);
      for (const f of r.failures) lines.push(`      ${f}`);
    }
  }
  const s = summarize(runs);
  if (coverage) lines.push('', ...formatCoverage(coverage));
  lines.push('', `${s.passed} passed, ${s.failed} failed${s.broken ? `, ${s.broken} pack${s.broken === 1 ? '' : 's'} with errors` : ''} (${runs.length} pack${runs.length === 1 ? '' : 's'})`);
  return `${lines.join('\n')}\n`;
}

function formatCoverage(coverage: CoverageReport): string[] {
  const lines = [`policy coverage: ${coverage.percent}%`];
  for (const p of coverage.policies) {
    const marks = p.possible.map((o) => `${o} ${p.covered.includes(o) ? '✓' : '✗'}`).join('  ');
    lines.push(`  ${p.pack} ${p.phase.padEnd(8)} ${p.policy.padEnd(24)} ${marks}`);
  }
  return lines;
}

/** The documented `{ok, results}` JSON, plus coverage when computed. */
export function formatTestsJson(runs: readonly PackRun[], coverage?: CoverageReport): string {
  const s = summarize(runs);
  const body = {
    ok: s.failed === 0 && s.broken === 0,
    results: runs.flatMap((r) => r.results),
    ...(runs.some((r) => r.diagnostics.length > 0)
      ? { errors: runs.flatMap((r) => r.diagnostics.map((d) => ({ pack: r.pack, code: d.code, message: d.message, line: d.range.start.line, column: d.range.start.column }))) }
      : {}),
    ...(coverage ? { coverage } : {}),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

function xml(s: string): string {
  // Characters XML 1.0 cannot carry at all (a test name may hold any JSON string) become U+FFFD.
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * JUnit XML: one testsuite per pack, one testcase per case. A case whose expectation was not met is a
 * `<failure>`; one that could not run at all (its file unreadable or not JSON, not a valid test case, an
 * input the gateway would refuse) is an `<error>`, as is a pack with errors, so CI tells a broken test
 * from a policy that decided differently.
 */
export function formatTestsJunit(runs: readonly PackRun[]): string {
  const count = (run: PackRun) => ({
    tests: run.results.length + (run.diagnostics.length ? 1 : 0),
    failures: run.results.filter((r) => !r.passed && r.error === undefined).length,
    errors: run.results.filter((r) => r.error !== undefined).length + (run.diagnostics.length ? 1 : 0),
  });
  const total = runs.map(count).reduce((a, c) => ({ tests: a.tests + c.tests, failures: a.failures + c.failures, errors: a.errors + c.errors }), { tests: 0, failures: 0, errors: 0 });
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="ktpack test" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}">`];
  for (const run of runs) {
    const c = count(run);
    out.push(`  <testsuite name="${xml(run.pack)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}">`);
    if (run.diagnostics.length > 0) {
      out.push(`    <testcase classname="${xml(run.pack)}" name="pack loads"><error message="pack has errors">${xml(formatStylish(run.diagnostics))}</error></testcase>`);
    }
    for (const r of run.results) {
      const open = `    <testcase classname="${xml(`${run.pack}/${r.suite ?? r.file}`)}" name="${xml(r.name)}" file="${xml(r.file)}"`;
      if (r.passed) out.push(`${open}/>`);
      else if (r.error !== undefined) out.push(`${open}><error message="${xml(r.error)}">${xml(r.error)}</error></testcase>`);
      else out.push(`${open}><failure message="${xml(r.failures[0] ?? 'failed')}">${xml(r.failures.join('\n'))}</failure></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
