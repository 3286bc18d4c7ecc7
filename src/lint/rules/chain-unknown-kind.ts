// Rule chain-unknown-kind: every chain entry must name a policy kind (documented-but-unsupported kinds are unsupported-kind's).
import { didYouMean } from '../../diagnostics.js';
import { isUnsupportedKind, supportedKindIds, UNSUPPORTED_KINDS } from '../kind-catalog.js';
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
    const known = supportedKindIds();
    return chain.flatMap((entry, i) => {
      if (typeof entry !== 'string' || known.includes(entry) || isUnsupportedKind(entry)) return [];
      const suggestion = didYouMean(entry, [...known, ...UNSUPPORTED_KINDS]) ?? didYouMean(entry.replace(/_/g, '-'), known);
      return [
        {
          path: ['policies', 'chain', i],
          message: `unknown policy kind "${entry}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          ...(suggestion ? { hint: `replace with "${suggestion}"` } : { hint: `kinds ktpack runs: ${known.join(', ')}` }),
        },
      ];
    });
  },
};
