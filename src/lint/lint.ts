// Lints one pack: YAML diagnostics, then schema diagnostics, then semantic rules; applies settings and directives.
import { DOCS_BASE, didYouMean, sortDiagnostics, type Diagnostic, type Severity } from '../diagnostics.js';
import { loadDocument, type PackDocument } from '../load/document.js';
import { validateSchema } from '../validate/validate-schema.js';
import type { PackData, Rule } from './rule.js';
import { RULES } from './rules/index.js';
import { findLiteralSecrets } from './rules/literal-secret.js';
import { maskSecrets, secretKeyValueSpans } from './secrets.js';

/** A rule's configured level: a severity, or `off`. */
export type RuleSetting = Severity | 'off';

/** Options of a lint run. */
export interface LintOptions {
  /** Per-rule severity overrides and disabling, by rule id. */
  rules?: Readonly<Record<string, RuleSetting>>;
}

/** Result of linting one pack. */
export interface LintResult {
  document: PackDocument;
  diagnostics: Diagnostic[];
  /** The file text with every secret masked (safe to print in code frames and snippets). */
  maskedText: string;
}

const RULE_IDS = new Set(RULES.map((r) => r.id));

/** Lints pack text (or the file's bytes, which also checks they are UTF-8). Never throws for bad input. */
export function lintText(source: string, text: string | Uint8Array, options: LintOptions = {}): LintResult {
  const document = loadDocument(source, text);
  return { document, diagnostics: lintDocument(document, options), maskedText: maskedTextOf(document) };
}

/** Lints an already loaded document. */
export function lintDocument(document: PackDocument, options: LintOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [...document.diagnostics];
  const body = stripBom(document.text);
  const parsed = !out.some((d) => d.severity === 'error');
  const schema = parsed ? validateSchema(document) : [];
  out.push(...schema);
  const valid = parsed && schema.length === 0;
  const settings = options.rules ?? {};
  for (const rule of RULES) {
    const setting = settings[rule.id];
    if (setting === 'off') continue;
    // Secret scanning looks at raw text, so it runs even on files that do not parse.
    if (!valid && !rule.meta.runsOnInvalid) continue;
    out.push(...runRule(rule, document, body, setting));
  }
  // Safety net: no message or hint may carry a credential-shaped string, whatever produced it.
  // Control characters from the file (escape sequences in keys) are shown escaped, never sent to a terminal raw.
  const clean = (t: string) => maskSecrets(t).replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const masked = out.map((d) => ({ ...d, message: clean(d.message), ...(d.hint ? { hint: clean(d.hint) } : {}) }));
  return sortDiagnostics(applyDirectives(masked, body, document.source));
}

function runRule(rule: Rule, document: PackDocument, text: string, setting: Severity | undefined): Diagnostic[] {
  const data = (document.data ?? {}) as PackData;
  return rule.check({ data, text }).map((f) => ({
    code: rule.id,
    severity: setting ?? f.severity ?? rule.meta.defaultSeverity,
    message: f.message,
    source: document.source,
    path: f.path,
    range: f.range ?? document.rangeOf(f.path, f.part ?? 'value'),
    docsUrl: `${DOCS_BASE}/rules/${rule.id}.md`,
    ...(f.hint ? { hint: f.hint } : {}),
  }));
}

const NEXT_LINE = /(?:^|\s)#\s*ktpack-disable-next-line\b(.*)$/;
const WHOLE_FILE = /(?:^|\s)#\s*ktpack-disable\b(?!-)(.*)$/;

/**
 * Applies `# ktpack-disable-next-line [rule-id, ...]` and `# ktpack-disable [rule-id, ...]`
 * comments. Only rule findings can be disabled: YAML and schema errors mean the gateway would
 * refuse the file, so hiding them would only move the failure to deploy time.
 */
function applyDirectives(diagnostics: Diagnostic[], text: string, source: string): Diagnostic[] {
  if (!text.includes('ktpack-disable')) return diagnostics;
  const byLine = new Map<number, Set<string> | 'all'>();
  let fileWide: Set<string> | 'all' | undefined;
  const extra: Diagnostic[] = [];
  const lines = text.split(/\r?\n/);
  const parseIds = (rest: string, line: number, column: number): Set<string> | 'all' => {
    const ids = rest
      .replace(/\s--\s.*$/, '')
      .split(/[\s,]+/)
      .filter(Boolean);
    if (ids.length === 0) return 'all';
    for (const id of ids) {
      if (RULE_IDS.has(id)) continue;
      const suggestion = didYouMean(id, RULE_IDS);
      extra.push({
        code: 'lint/unknown-rule',
        severity: 'warning',
        message: `disable comment names unknown rule "${id}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        source,
        path: [],
        range: { start: { line, column }, end: { line, column: column + 1 } },
        docsUrl: `${DOCS_BASE}/rules/README.md#disabling-rules`,
      });
    }
    return new Set(ids);
  };
  lines.forEach((l, i) => {
    const next = NEXT_LINE.exec(l);
    if (next) {
      byLine.set(i + 2, parseIds(next[1], i + 1, l.indexOf('#') + 1));
      return;
    }
    const whole = WHOLE_FILE.exec(l);
    if (whole) {
      const ids = parseIds(whole[1], i + 1, l.indexOf('#') + 1);
      fileWide = ids === 'all' || fileWide === 'all' ? 'all' : new Set([...(fileWide ?? []), ...ids]);
    }
  });
  const suppressed = (d: Diagnostic): boolean => {
    if (!RULE_IDS.has(d.code)) return false;
    const matches = (s: Set<string> | 'all' | undefined) => s === 'all' || (s !== undefined && s.has(d.code));
    return matches(fileWide) || matches(byLine.get(d.range.start.line));
  };
  return [...diagnostics.filter((d) => !suppressed(d)), ...extra];
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The text with every literal secret masked in place (same length, so columns in code frames
 * still line up). Independent of rule settings: turning the rule off must not unmask secrets.
 */
function maskedTextOf(document: PackDocument): string {
  const body = stripBom(document.text);
  const found = findLiteralSecrets({ data: (document.data ?? {}) as PackData, text: body });
  // Values of credential keys, read from the text itself: they are masked even when the file does
  // not parse or the value is not a string (no rule reports those, but a code frame may show them).
  const byKey = secretKeyValueSpans(body);
  if (found.length === 0 && byKey.length === 0) return document.text;
  const lineStart = [0];
  for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 10) lineStart.push(i + 1);
  // A credential shape keeps its first 4 characters (`sk-p`, `AKIA`: its kind, not its secret part);
  // a value found by its key (a password, say) is masked whole.
  const spans: Array<[number, number, number]> = found.map((f) => {
    const r = f.range ?? document.rangeOf(f.path, 'value');
    const from = (lineStart[r.start.line - 1] ?? 0) + r.start.column - 1;
    const to = (lineStart[r.end.line - 1] ?? body.length) + r.end.column - 1;
    return [from, to, f.range && to - from >= 12 ? 4 : 0];
  });
  const chars = body.split('');
  const all = [...spans, ...byKey.map(([a, b]): [number, number, number] => [a, b, 0])];
  for (const [from, to] of all) {
    for (let k = from; k < to && k < chars.length; k++) if (chars[k] !== '\n' && chars[k] !== '\r') chars[k] = '*';
  }
  for (const [from, , keep] of all) for (let k = from; k < from + keep; k++) chars[k] = body[k];
  return (body.length !== document.text.length ? '\ufeff' : '') + chars.join('');
}
