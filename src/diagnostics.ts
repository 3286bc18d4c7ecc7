// The one diagnostic type shared by YAML errors, schema errors, lint findings and compile errors.

/** Severity of a diagnostic, ordered from most to least serious. */
export type Severity = 'error' | 'warning' | 'info';

/** A 1-based line and column in a source file. */
export interface Position {
  line: number;
  column: number;
}

/** A source range; `end` is exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

/** A path into the parsed document: object keys and array indexes. */
export type JsonPath = ReadonlyArray<string | number>;

/** One problem found in a pack. */
export interface Diagnostic {
  /** Stable code: a rule id, or `yaml/…`, `schema/…`, `compile/…`. */
  code: string;
  severity: Severity;
  message: string;
  /** File the diagnostic belongs to, as given by the user (relative where possible). */
  source: string;
  path: JsonPath;
  range: Range;
  docsUrl?: string;
  /** Optional fix hint, e.g. a did-you-mean. */
  hint?: string;
}

/** Base URL for rule and code documentation. */
export const DOCS_BASE = 'https://github.com/ktpack/ktpack/blob/main/docs';

const SEVERITY_RANK: Record<Severity, number> = { error: 2, warning: 1, info: 0 };

/** Numeric rank of a severity (error > warning > info). */
export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

/** Sorts diagnostics by file, line, column, then code. Returns a new array. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.column - b.range.start.column ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** Renders a JSON path the way users read it: `policy.pii-detector.entities[2]`. */
export function formatPath(path: JsonPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Levenshtein distance, used for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest candidate to `word`, if it is close enough to be a plausible typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}
