// Stylish formatter: one `file:line:col severity message code` line per diagnostic, then a summary.
import type { Diagnostic } from '../diagnostics.js';

/** Formats diagnostics for humans. Pure. */
export function formatStylish(diagnostics: readonly Diagnostic[]): string {
  if (diagnostics.length === 0) return '';
  const lines = diagnostics.map(
    (d) => `${d.source}:${d.range.start.line}:${d.range.start.column} ${d.severity} ${d.message} ${d.code}`,
  );
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  lines.push('', `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
