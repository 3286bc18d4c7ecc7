// SARIF 2.1.0 formatter for GitHub code scanning: relative URIs, 1-based regions, masked snippets, a rule catalog.
import { DOCS_BASE, type Diagnostic, type Severity } from '../diagnostics.js';
import { RULES } from '../lint/rules/index.js';
import { sourceLines, type FileReport, type FormatOptions } from './types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * The artifact location of a user-facing file name: a relative URI reference against %SRCROOT%
 * (forward slashes, percent-encoded), or, for a file outside the working directory (shown with its
 * absolute path), an absolute `file:` URI, since a relative reference must not start with `/`.
 */
function toArtifactLocation(source: string): { uri: string; uriBaseId?: string } {
  const path = source.replace(/\\/g, '/').replace(/^\.\//, '');
  const drive = /^[A-Za-z]:\//.test(path);
  const encoded = path
    .split('/')
    .map((seg, i) => (drive && i === 0 ? seg : encodeURIComponent(seg)))
    .join('/');
  if (path.startsWith('/')) return { uri: `file://${encoded}` };
  if (drive) return { uri: `file:///${encoded}` };
  return { uri: encoded, uriBaseId: '%SRCROOT%' };
}

/** Formats reports as a SARIF 2.1.0 log; a clean run still has one run with `results: []`. */
export function formatSarif(reports: readonly FileReport[], options: FormatOptions = {}): string {
  const all = reports.flatMap((r) => r.diagnostics);
  const ruleIds = [...new Set([...RULES.map((r) => r.id), ...all.map((d) => d.code)])].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const byId = new Map(RULES.map((r) => [r.id, r]));
  const rules = ruleIds.map((id) => {
    const rule = byId.get(id);
    const sample = all.find((d) => d.code === id);
    const helpUri = sample?.docsUrl ?? `${DOCS_BASE}/${rule ? `rules/${id}.md` : 'diagnostics.md'}`;
    const summary = rule?.meta.summary ?? `ktpack ${id}: ${id.startsWith('yaml/') ? 'the file is not a valid YAML pack' : id.startsWith('schema/') ? 'the pack does not match the pack schema' : 'see the documentation'}.`;
    // GitHub code scanning requires fullDescription and help on every rule.
    return {
      id,
      name: id.replace(/[/-](.)/g, (_, ch: string) => ch.toUpperCase()).replace(/^./, (ch) => ch.toUpperCase()),
      shortDescription: { text: summary },
      fullDescription: { text: summary },
      helpUri,
      help: { text: `${summary} Documentation: ${helpUri}`, markdown: `${summary}\n\n[Documentation](${helpUri})` },
      defaultConfiguration: { level: LEVEL[rule?.meta.defaultSeverity ?? 'error'] },
    };
  });
  const linesOf = new Map(reports.map((r) => [r.source, r.text === undefined ? undefined : sourceLines(r.text)]));
  const results = all.map((d: Diagnostic) => {
    const lines = linesOf.get(d.source);
    const { start, end } = d.range;
    const snippet = lines?.[start.line - 1];
    const region = {
      startLine: Math.max(1, start.line),
      startColumn: Math.max(1, start.column),
      endLine: Math.max(start.line, end.line, 1),
      endColumn: Math.max(1, end.line === start.line ? Math.max(end.column, start.column + 1) : end.column),
      ...(snippet !== undefined ? { snippet: { text: snippet } } : {}),
    };
    return {
      ruleId: d.code,
      ruleIndex: ruleIndex.get(d.code),
      level: LEVEL[d.severity],
      message: { text: d.hint ? `${d.message} (${d.hint})` : d.message },
      locations: [{ physicalLocation: { artifactLocation: toArtifactLocation(d.source), region } }],
      ...(d.path.length ? { properties: { jsonPath: d.path } } : {}),
    };
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ktpack', ...(options.version ? { version: options.version, semanticVersion: options.version } : {}), informationUri: 'https://github.com/ktpack/ktpack', rules } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
