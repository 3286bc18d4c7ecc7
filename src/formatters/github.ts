// GitHub Actions formatter: one workflow-command annotation per diagnostic (::error file=…,line=…::message).
import type { FileReport, FormatOptions } from './types.js';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Formats reports as GitHub workflow commands (`info` becomes `notice`). */
export function formatGithub(reports: readonly FileReport[], _options: FormatOptions = {}): string {
  const out: string[] = [];
  for (const r of reports) {
    for (const d of r.diagnostics) {
      const level = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
      const { start, end } = d.range;
      const props = [
        `file=${escapeProperty(d.source)}`,
        `line=${start.line}`,
        `col=${start.column}`,
        `endLine=${end.line}`,
        ...(end.line === start.line ? [`endColumn=${end.column}`] : []),
        `title=${escapeProperty(`ktpack ${d.code}`)}`,
      ];
      out.push(`::${level} ${props.join(',')}::${escapeData(d.hint ? `${d.message} (${d.hint})` : d.message)}`);
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
