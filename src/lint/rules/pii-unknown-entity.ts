// Rule pii-unknown-entity: pii-detector entities must be built-in entity names (a typo silently detects nothing).
import { didYouMean } from '../../diagnostics.js';
import { BUILTIN_ENTITIES } from '../../runtime/detectors/pii.js';
import type { Rule } from '../rule.js';

/** pii-unknown-entity */
export const piiUnknownEntity: Rule = {
  id: 'pii-unknown-entity',
  meta: {
    summary: 'pii-detector.entities names an entity type ktpack does not detect.',
    defaultSeverity: 'error',
    docs: 'docs/rules/pii-unknown-entity.md',
  },
  check({ data }) {
    const entities = data.policy?.['pii-detector']?.entities;
    if (!Array.isArray(entities)) return [];
    const known: string[] = [...BUILTIN_ENTITIES];
    return entities.flatMap((e, i) => {
      if (typeof e !== 'string' || known.includes(e)) return [];
      const suggestion = known.find((k) => k === e.toUpperCase().replace(/[\s-]/g, '_')) ?? didYouMean(e, known);
      return [
        {
          path: ['policy', 'pii-detector', 'entities', i],
          message: `unknown PII entity "${e}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          hint: `known entities: ${known.join(', ')}`,
        },
      ];
    });
  },
};
