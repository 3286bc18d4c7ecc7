// Rule chain-missing-block: a chained kind without a policy.<kind> block runs with its defaults.
import { supportedKindIds } from '../kind-catalog.js';
import type { Rule } from '../rule.js';

/** chain-missing-block */
export const chainMissingBlock: Rule = {
  id: 'chain-missing-block',
  meta: {
    summary: 'A kind in the chain has no policy.<kind> block, so it runs with its default settings.',
    defaultSeverity: 'warning',
    docs: 'docs/rules/chain-missing-block.md',
  },
  check({ data }) {
    const blocks = data.policy ?? {};
    const known = supportedKindIds();
    return (data.policies?.chain ?? []).flatMap((entry, i) =>
      typeof entry === 'string' && known.includes(entry) && !Object.hasOwn(blocks, entry)
        ? [
            {
              path: ['policies', 'chain', i],
              message: `"${entry}" has no policy.${entry} block; it runs with its default settings`,
              hint: `add \`policy: {${entry}: {}}\` to make the defaults explicit`,
            },
          ]
        : [],
    );
  },
};
