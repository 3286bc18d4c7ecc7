// JUnit XML formatter: one test suite per file, one failing test case per diagnostic (a clean file passes one case).
import type { FileReport, FormatOptions } from './types.js';

const xml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 cannot carry most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd');

/** Formats reports as JUnit XML (errors and warnings are failures; info is not). */
export function formatJunit(reports: readonly FileReport[], _options: FormatOptions = {}): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  for (const r of reports) {
    const cases: string[] = [];
    let suiteFailures = 0;
    for (const d of r.diagnostics) {
      const name = `${d.code} at ${d.range.start.line}:${d.range.start.column}`;
      const body = `${d.source}:${d.range.start.line}:${d.range.start.column} ${d.message}${d.hint ? `\nhelp: ${d.hint}` : ''}`;
      if (d.severity === 'info') {
        cases.push(`    <testcase name="${xml(name)}" classname="${xml(r.source)}"><system-out>${xml(body)}</system-out></testcase>`);
      } else {
        suiteFailures++;
        cases.push(
          `    <testcase name="${xml(name)}" classname="${xml(r.source)}">\n      <failure type="${d.severity}" message="${xml(d.message)}">${xml(body)}</failure>\n    </testcase>`,
        );
      }
    }
    if (cases.length === 0) cases.push(`    <testcase name="ktpack lint" classname="${xml(r.source)}"/>`);
    total += cases.length;
    failures += suiteFailures;
    suites.push(`  <testsuite name="${xml(r.source)}" tests="${cases.length}" failures="${suiteFailures}" errors="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ktpack lint" tests="${total}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`;
}
