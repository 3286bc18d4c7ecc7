// Lints one pack: YAML diagnostics, then schema diagnostics, then semantic rules.
import { DOCS_BASE, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { loadDocument, type PackDocument } from '../load/document.js';
import { validateSchema } from '../validate/validate-schema.js';
import type { PackData } from './rule.js';
import { RULES } from './rules/index.js';

/** Result of linting one pack. */
export interface LintResult {
  document: PackDocument;
  diagnostics: Diagnostic[];
}

/** Lints pack text. Never throws for bad input. */
export function lintText(source: string, text: string): LintResult {
  const document = loadDocument(source, text);
  return { document, diagnostics: lintDocument(document) };
}

/** Lints an already loaded document. */
export function lintDocument(document: PackDocument): Diagnostic[] {
  const out: Diagnostic[] = [...document.diagnostics];
  if (out.some((d) => d.severity === 'error')) return sortDiagnostics(out);
  const schema = validateSchema(document);
  out.push(...schema);
  if (schema.length === 0) {
    const data = document.data as PackData;
    for (const rule of RULES) {
      for (const f of rule.check({ data })) {
        out.push({
          code: rule.id,
          severity: rule.meta.defaultSeverity,
          message: f.message,
          source: document.source,
          path: f.path,
          range: document.rangeOf(f.path, f.part ?? 'value'),
          docsUrl: `${DOCS_BASE}/rules/${rule.id}.md`,
          ...(f.hint ? { hint: f.hint } : {}),
        });
      }
    }
  }
  return sortDiagnostics(out);
}
