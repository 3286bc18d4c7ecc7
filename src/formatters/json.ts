// JSON formatter: a stable machine-readable report (diagnostics already carry masked text only).
import type { FileReport, FormatOptions } from './types.js';
import { countBySeverity } from './types.js';

/** Formats reports as JSON: `{version, errorCount, warningCount, files: [{source, diagnostics}]}`. */
export function formatJson(reports: readonly FileReport[], _options: FormatOptions = {}): string {
  const all = reports.flatMap((r) => r.diagnostics);
  const { errors, warnings, infos } = countBySeverity(all);
  const files = reports.map((r) => {
    const counts = countBySeverity(r.diagnostics);
    return {
      source: r.source,
      errorCount: counts.errors,
      warningCount: counts.warnings,
      diagnostics: r.diagnostics.map((d) => ({
        code: d.code,
        severity: d.severity,
        message: d.message,
        source: d.source,
        path: [...d.path],
        range: d.range,
        ...(d.hint ? { hint: d.hint } : {}),
        ...(d.docsUrl ? { docsUrl: d.docsUrl } : {}),
      })),
    };
  });
  return `${JSON.stringify({ version: 1, errorCount: errors, warningCount: warnings, infoCount: infos, files }, null, 2)}\n`;
}
