// Stylish formatter: `file:line:col severity message code` per diagnostic, a code frame and hint, then a summary.
import type { Diagnostic } from '../diagnostics.js';
import { countBySeverity, sourceLines, type FileReport, type FormatOptions } from './types.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The styles stylish uses; identity functions when colour is off. */
interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  cyan(s: string): string;
  errorSummary(s: string): string;
  warningSummary(s: string): string;
}

const same = (s: string) => s;
const PLAIN: Paint = { bold: same, dim: same, red: same, yellow: same, blue: same, cyan: same, errorSummary: same, warningSummary: same };
let chalkModule: typeof import('chalk') | undefined;

/**
 * Loads chalk so {@link formatStylish} can colour its output. Separate and async so that runs
 * without colour (CI, pipes, NO_COLOR) never load it: start-up time is a feature of a linter.
 */
export async function loadColor(): Promise<void> {
  chalkModule ??= await import('chalk');
}

function paint(color: boolean | undefined): Paint {
  if (!color || !chalkModule) return PLAIN;
  const c = new chalkModule.Chalk({ level: 1 });
  return { bold: c.bold, dim: c.dim, red: c.red, yellow: c.yellow, blue: c.blue, cyan: c.cyan, errorSummary: c.red.bold, warningSummary: c.yellow.bold };
}

/** Formats diagnostics for humans. Pure: colour only when `options.color` is set and {@link loadColor} has run. */
export function formatStylish(input: readonly Diagnostic[] | readonly FileReport[], options: FormatOptions = {}): string {
  const reports = toReports(input);
  const c = paint(options.color);
  const all = reports.flatMap((r) => r.diagnostics);
  if (all.length === 0) return '';
  const out: string[] = [];
  for (const report of reports) {
    const lines = report.text === undefined ? undefined : sourceLines(report.text);
    for (const d of report.diagnostics) {
      const sev = d.severity === 'error' ? c.red('error') : d.severity === 'warning' ? c.yellow('warning') : c.blue('info');
      out.push(`${c.bold(`${d.source}:${d.range.start.line}:${d.range.start.column}`)} ${sev} ${d.message} ${c.dim(d.code)}`);
      if (lines) out.push(...codeFrame(lines, d, c));
      if (d.hint) out.push(`  ${c.cyan('help:')} ${d.hint}`);
    }
  }
  const { errors, warnings, infos } = countBySeverity(all);
  const summary = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}${infos ? `, ${infos} info` : ''}`;
  out.push('', errors ? c.errorSummary(summary) : c.warningSummary(summary));
  return `${out.join('\n')}\n`;
}

function toReports(input: readonly Diagnostic[] | readonly FileReport[]): FileReport[] {
  if (input.length === 0) return [];
  if ('diagnostics' in input[0]) return input as FileReport[];
  return [{ source: '', diagnostics: [...(input as Diagnostic[])] }];
}

/** One line of context above, the offending line, and a caret underline. */
function codeFrame(lines: string[], d: Diagnostic, c: Paint): string[] {
  const { start, end } = d.range;
  const line = lines[start.line - 1];
  if (line === undefined) return [];
  const width = String(start.line).length;
  const gutter = (n: number | '') => c.dim(`${String(n).padStart(width)} | `);
  // Control characters (binary files, escape sequences) must not reach the terminal raw.
  const show = (s: string) => (s.length > 160 ? `${s.slice(0, 160)}…` : s).replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
  const frame: string[] = [];
  if (start.line > 1 && lines[start.line - 2]?.trim()) frame.push(`  ${gutter(start.line - 1)}${show(lines[start.line - 2])}`);
  frame.push(`${c.red('>')} ${gutter(start.line)}${show(line)}`);
  const to = end.line === start.line ? Math.max(end.column, start.column + 1) : line.length + 1;
  // Columns count UTF-16 code units; the caret goes under what the terminal shows (CJK and emoji take two cells).
  const shown = show(line);
  const from = Math.min(start.column - 1, shown.length);
  const caretCount = Math.max(1, displayWidth(shown.slice(from, Math.min(to - 1, shown.length))));
  frame.push(`  ${gutter('')}${' '.repeat(displayWidth(shown.slice(0, from)))}${c.red('^'.repeat(caretCount))}`);
  return frame;
}

const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /[\u0300-\u036f\u200b-\u200f\ufe00-\ufe0f]/u;

/** Terminal cells taken by `text`: wide East Asian characters and emoji count 2, combining marks 0. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : ZERO_WIDTH.test(ch) ? 0 : 1;
  return width;
}
