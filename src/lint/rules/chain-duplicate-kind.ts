// Rule chain-duplicate-kind: a kind listed twice in the chain runs twice (double redaction, double audit).
import type { Rule } from '../rule.js';

/** chain-duplicate-kind */
export const chainDuplicateKind: Rule = {
  id: 'chain-duplicate-kind',
  meta: {
    summary: 'A policy kind appears more than once in policies.chain.',
    defaultSeverity: 'error',
    docs: 'docs/rules/chain-duplicate-kind.md',
  },
  check({ data }) {
    const first = new Map<string, number>();
    return (data.policies?.chain ?? []).flatMap((entry, i) => {
      if (typeof entry !== 'string') return [];
      const at = first.get(entry);
      if (at === undefined) {
        first.set(entry, i);
        return [];
      }
      return [{ path: ['policies', 'chain', i], message: `"${entry}" is already in the chain at position ${at + 1}; each kind runs once`, hint: 'remove the duplicate entry' }];
    });
  },
};
