// Build half of pii-detector: metadata, options schema and lowering to IR.
import { BUILTIN_ENTITIES } from '../../runtime/detectors/pii.js';
import { loadSchema, withDefaults } from '../../schemas.js';
import type { KindDefinition } from '../types.js';

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
    const entities = Array.isArray(options.entities) ? options.entities : [];
    const known = new Set<string>(BUILTIN_ENTITIES);
    return entities.flatMap((e, i) =>
      typeof e === 'string' && !known.has(e)
        ? [{ path: ['entities', i], code: 'unknown-pii-entity', message: `unknown PII entity "${e}"; known: ${[...known].join(', ')}` }]
        : [],
    );
  },
  lower(options) {
    const o = withDefaults(loadSchema(this.schemaFile), options);
    const entities = [...new Set((o.entities as string[] | undefined) ?? BUILTIN_ENTITIES)].sort();
    const unsupported = [
      ...(Array.isArray(o.detect_patterns) && o.detect_patterns.length > 0 ? [{ path: ['detect_patterns'], code: 'unsupported-option', message: 'detect_patterns is not supported yet' }] : []),
      ...(o.healthcare_mode === true ? [{ path: ['healthcare_mode'], code: 'unsupported-option', message: 'healthcare_mode is not supported yet' }] : []),
      ...(o.scan_responses === false ? [{ path: ['scan_responses'], code: 'unsupported-option', message: 'scan_responses: false is not supported yet (responses are always scanned)' }] : []),
      ...(o.redaction !== undefined ? [{ path: ['redaction'], code: 'unsupported-option', message: 'redaction settings are not supported yet (markers are [ENTITY_n])' }] : []),
    ];
    return { step: { action: o.action as 'redact' | 'block', options: { entities } }, unsupported };
  },
};
