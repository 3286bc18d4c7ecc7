// The input every formatter gets: per-file diagnostics plus the (secret-masked) text for code frames.
import type { Diagnostic } from '../diagnostics.js';

/** Diagnostics of one linted file. */
export interface FileReport {
  /** File name as shown to users (relative to the working directory where possible). */
  source: string;
  /** The file text with secrets masked; code frames and snippets are cut from it. */
  text?: string;
  diagnostics: Diagnostic[];
}

/** Options every formatter accepts. Formatters are pure: no ambient state. */
export interface FormatOptions {
  /** Emit ANSI colours (stylish only). */
  color?: boolean;
  /** ktpack's version, recorded in SARIF. */
  version?: string;
}

/** A formatter: reports in, one string out. */
export type Formatter = (reports: readonly FileReport[], options?: FormatOptions) => string;

/** Counts of errors and warnings in `diagnostics`. */
export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number; infos: number } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}

/** Splits text into lines, tolerating CRLF and a BOM. */
export function sourceLines(text: string): string[] {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
}
