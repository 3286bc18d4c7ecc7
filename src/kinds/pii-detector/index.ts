// Build half of pii-detector: metadata, semantic checks and lowering to IR (entities, custom patterns, markers).
import { BUILTIN_ENTITIES } from '../../runtime/detectors/pii.js';
import { loadSchema, withDefaults } from '../../schemas.js';
import type { KindDefinition, KindFinding } from '../types.js';

const KNOWN = new Set<string>(BUILTIN_ENTITIES);

/** `detect_patterns` entries that name a built-in category (`email`, `ssn`) instead of a regex, as some docs write them. */
function categoryName(p: unknown): string | null {
  if (typeof p !== 'string') return null;
  const up = p.toUpperCase().replace(/[\s-]/g, '_');
  const alias: Record<string, string> = { IP: 'IP_ADDRESS', CARD: 'CREDIT_CARD', PAN: 'CREDIT_CARD', SECRET: 'API_KEY', PHONE_NUMBER: 'PHONE', EMAIL_ADDRESS: 'EMAIL' };
  const e = alias[up] ?? up;
  return /^[a-z_ ]+$/i.test(p) && KNOWN.has(e) ? e : null;
}

function patternParts(p: unknown): { entity: string; source: string } | null {
  if (typeof p === 'string') return { entity: 'CUSTOM', source: p };
  if (p && typeof p === 'object' && typeof (p as { pattern?: unknown }).pattern === 'string') {
    const o = p as { name?: string; pattern: string };
    return { entity: o.name ?? 'CUSTOM', source: o.pattern };
  }
  return null;
}

/** pii-detector kind. */
export const piiDetectorKind: KindDefinition = {
  id: 'pii-detector',
  meta: {
    summary: 'Finds personal data and secrets in requests and responses; redacts them with markers or blocks.',
    phase: 'both',
    actions: ['redact', 'block'],
    docs: 'docs/kinds/pii-detector.md',
  },
  schemaFile: 'kinds/pii-detector.schema.json',
  check(options) {
    const findings: KindFinding[] = [];
    const entities = Array.isArray(options.entities) ? options.entities : [];
    entities.forEach((e, i) => {
      if (typeof e === 'string' && !KNOWN.has(e)) {
        findings.push({ path: ['entities', i], code: 'unknown-pii-entity', message: `unknown PII entity "${e}"; known: ${[...KNOWN].join(', ')}` });
      }
    });
    const patterns = Array.isArray(options.detect_patterns) ? options.detect_patterns : [];
    patterns.forEach((p, i) => {
      // Some docs list entity names here (`email`, `ssn`): accepted as that entity, not compiled as a regex.
      if (categoryName(p)) return;
      const parts = patternParts(p);
      if (!parts) return;
      try {
        new RegExp(parts.source);
      } catch (err) {
        findings.push({ path: ['detect_patterns', i], code: 'invalid-regex', message: `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}` });
      }
    });
    return findings;
  },
  unsupported(options) {
    return options.healthcare_mode === true
      ? [{ path: ['healthcare_mode'], code: 'unsupported-option', message: 'healthcare_mode is not supported yet (no healthcare identifiers are detected)' }]
      : [];
  },
  lower(options) {
    const o = withDefaults(loadSchema(this.schemaFile), options);
    const patterns = (o.detect_patterns as unknown[] | undefined) ?? [];
    const listed = (o.entities as string[] | undefined) ?? [...BUILTIN_ENTITIES];
    const fromPatterns = patterns.map(categoryName).filter((e): e is string => e !== null);
    const entities = new Set([...listed, ...fromPatterns].filter((e) => KNOWN.has(e)));
    if (o.pci_mode !== false) entities.add('CREDIT_CARD');
    const customPatterns = patterns
      .filter((p) => categoryName(p) === null)
      .map(patternParts)
      .filter((p): p is { entity: string; source: string } => p !== null)
      // Case-sensitive, no flags (as the linter checks them).
      .map((p) => ({ ...p, flags: '' }));
    const r = (o.redaction as Record<string, unknown> | undefined) ?? {};
    return {
      step: {
        action: o.action as 'redact' | 'block',
        options: {
          entities: [...entities].sort(),
          customPatterns,
          scanResponses: o.scan_responses !== false,
          nonTextParts: o.non_text_parts === 'block' ? 'block' : 'allow',
          markers: {
            format: (r.marker_format as string | undefined) ?? 'label',
            preserveLength: r.preserve_length === true,
            customMarkers: (r.custom_markers as Record<string, string> | undefined) ?? {},
          },
        },
      },
    };
  },
};
