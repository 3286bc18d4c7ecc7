// Rule policy-not-in-chain: a configured policy block whose kind is not in the chain never runs.
import { isUnsupportedKind } from '../kind-catalog.js';
import type { Rule } from '../rule.js';

/** policy-not-in-chain */
export const policyNotInChain: Rule = {
  id: 'policy-not-in-chain',
  meta: {
    summary: 'A policy.<kind> block is configured but the kind is not in policies.chain, so it never runs.',
    defaultSeverity: 'warning',
    docs: 'docs/rules/policy-not-in-chain.md',
  },
  check({ data }) {
    if (!data.pack) return [];
    const chain = new Set(data.policies?.chain ?? []);
    return Object.keys(data.policy ?? {})
      .filter((id) => !chain.has(id) && !isUnsupportedKind(id))
      .map((id) => ({
        path: ['policy', id],
        part: 'key' as const,
        message: `policy.${id} is configured but "${id}" is not in policies.chain; it never runs`,
        hint: `add "${id}" to policies.chain, or delete the block`,
      }));
  },
};
