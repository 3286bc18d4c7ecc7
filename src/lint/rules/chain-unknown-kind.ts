// Rule chain-unknown-kind: every chain entry must name a policy kind ktpack knows.
import { didYouMean } from '../../diagnostics.js';
import { KINDS } from '../../kinds/index.js';
import type { Rule } from '../rule.js';

/** chain-unknown-kind */
export const chainUnknownKind: Rule = {
  id: 'chain-unknown-kind',
  meta: {
    summary: 'A chain entry names a policy kind that does not exist.',
    defaultSeverity: 'error',
    docs: 'docs/rules/chain-unknown-kind.md',
  },
  check({ data }) {
    const chain = data.policies?.chain ?? [];
    const known = KINDS.map((k) => k.id);
    return chain.flatMap((entry, i) => {
      if (typeof entry !== 'string' || known.includes(entry)) return [];
      const suggestion = didYouMean(entry, known);
      return [
        {
          path: ['policies', 'chain', i],
          message: `unknown policy kind "${entry}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          ...(suggestion ? { hint: `replace with "${suggestion}"` } : { hint: `known kinds: ${known.join(', ')}` }),
        },
      ];
    });
  },
};
