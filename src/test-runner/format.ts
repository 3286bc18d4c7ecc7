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
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** JUnit XML: one testsuite per pack, one testcase per case. */
export function formatTestsJunit(runs: readonly PackRun[]): string {
  const s = summarize(runs);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="ktpack test" tests="${s.passed + s.failed + s.broken}" failures="${s.failed}" errors="${s.broken}">`];
  for (const run of runs) {
    const failed = run.results.filter((r) => !r.passed).length;
    out.push(`  <testsuite name="${xml(run.pack)}" tests="${run.results.length + (run.diagnostics.length ? 1 : 0)}" failures="${failed}" errors="${run.diagnostics.length ? 1 : 0}">`);
    if (run.diagnostics.length > 0) {
      out.push(`    <testcase classname="${xml(run.pack)}" name="pack loads"><error message="pack has errors">${xml(formatStylish(run.diagnostics))}</error></testcase>`);
    }
    for (const r of run.results) {
      const open = `    <testcase classname="${xml(`${run.pack}/${r.suite ?? r.file}`)}" name="${xml(r.name)}" file="${xml(r.file)}"`;
      if (r.passed) out.push(`${open}/>`);
      else out.push(`${open}><failure message="${xml(r.failures[0] ?? 'failed')}">${xml(r.failures.join('\n'))}</failure></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
