// Rule chain-empty: an empty chain makes the gateway a plain pass-through proxy.
import type { Rule } from '../rule.js';

/** chain-empty */
export const chainEmpty: Rule = {
  id: 'chain-empty',
  meta: {
    summary: 'policies.chain is empty: no policy runs on any request.',
    defaultSeverity: 'warning',
    docs: 'docs/rules/chain-empty.md',
  },
  check({ data }) {
    return data.pack && data.policies?.chain?.length === 0
      ? [{ path: ['policies', 'chain'], message: 'policies.chain is empty; every request passes through unchecked', hint: 'list the policy kinds to run, e.g. [prompt-injection, pii-detector, audit-logger]' }]
      : [];
  },
};
