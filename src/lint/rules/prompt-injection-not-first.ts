// Rule prompt-injection-not-first: injection screening should see the request before other policies rewrite or log it.
import type { Rule } from '../rule.js';

/** prompt-injection-not-first */
export const promptInjectionNotFirst: Rule = {
  id: 'prompt-injection-not-first',
  meta: {
    summary: 'prompt-injection is in the chain but not first, so other policies act on requests it would block.',
    defaultSeverity: 'info',
    docs: 'docs/rules/prompt-injection-not-first.md',
  },
  check({ data }) {
    const chain = data.policies?.chain ?? [];
    const i = chain.indexOf('prompt-injection');
    if (i <= 0) return [];
    return [{ path: ['policies', 'chain', i], message: `prompt-injection is at position ${i + 1}; Keeptrusts recommends it first so a blocked request is not processed by "${String(chain[0])}" first`, hint: 'move prompt-injection to the start of policies.chain' }];
  },
};
