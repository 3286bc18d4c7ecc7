// Build half of content-filter: metadata, semantic checks and lowering to IR.
import { CONTENT_CATEGORIES } from '../../runtime/detectors/content.js';
import { loadSchema, withDefaults } from '../../schemas.js';
import type { KindDefinition, KindFinding } from '../types.js';

/** content-filter kind. */
export const contentFilterKind: KindDefinition = {
  id: 'content-filter',
  meta: {
    summary: 'Blocks, warns on or redacts restricted content (violence, self-harm, sexual, hate, weapons, drugs, custom terms and patterns).',
    phase: 'both',
    actions: ['block', 'warn', 'redact'],
    docs: 'docs/kinds/content-filter.md',
  },
  schemaFile: 'kinds/content-filter.schema.json',
  check(options) {
    const findings: KindFinding[] = [];
    const patterns = Array.isArray(options.blocked_patterns) ? options.blocked_patterns : [];
    patterns.forEach((p, i) => {
      if (typeof p !== 'string') return;
      try {
        new RegExp(p, 'giu');
      } catch (err) {
        findings.push({ path: ['blocked_patterns', i], code: 'invalid-regex', message: `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}` });
      }
    });
    if (Array.isArray(options.categories) && options.categories.length === 0 && !options.blocked_terms && !options.blocked_patterns) {
      findings.push({ path: ['categories'], code: 'content-filter-empty', severity: 'warning', message: 'no categories, blocked_terms or blocked_patterns: this content-filter never matches anything' });
    }
    return findings;
  },
  lower(options) {
    const o = withDefaults(loadSchema(this.schemaFile), options);
    return {
      step: {
        action: o.action as 'block' | 'warn' | 'redact',
        options: {
          categories: [...new Set((o.categories as string[] | undefined) ?? CONTENT_CATEGORIES)].sort(),
          blockedTerms: (o.blocked_terms as string[] | undefined) ?? [],
          // Case-insensitive, Unicode (as the linter checks them).
          blockedPatterns: ((o.blocked_patterns as string[] | undefined) ?? []).map((source) => ({ source, flags: 'iu' })),
          applyTo: o.apply_to,
        },
      },
    };
  },
};
