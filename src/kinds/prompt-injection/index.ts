// Build half of prompt-injection: metadata, options schema and lowering to IR.
import { loadSchema, withDefaults } from '../../schemas.js';
import type { KindDefinition } from '../types.js';

/** prompt-injection kind. */
export const promptInjectionKind: KindDefinition = {
  id: 'prompt-injection',
  meta: {
    summary: 'Scores requests for instruction-override, jailbreak and prompt-extraction attempts.',
    phase: 'request',
    actions: ['block', 'warn', 'log'],
    docs: 'docs/kinds/prompt-injection.md',
  },
  schemaFile: 'kinds/prompt-injection.schema.json',
  lower(options) {
    const o = withDefaults(loadSchema(this.schemaFile), options);
    const unsupported = ['embedding_threshold', 'detection', 'encoding', 'boundaries', 'response']
      .filter((key) => o[key] !== undefined)
      .map((key) => ({ path: [key], code: 'unsupported-option', message: `${key} is not supported yet` }));
    return { step: { action: o.action as 'block' | 'warn' | 'log', options: { threshold: o.threshold } }, unsupported };
  },
};
