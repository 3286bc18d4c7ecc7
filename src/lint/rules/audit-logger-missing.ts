// Rule audit-logger-missing: without audit-logger in the chain, requests through the gateway leave no audit trail.
import type { Rule } from '../rule.js';

/** audit-logger-missing */
export const auditLoggerMissing: Rule = {
  id: 'audit-logger-missing',
  meta: {
    summary: 'The chain has policies but no audit-logger, so decisions leave no audit record.',
    defaultSeverity: 'warning',
    docs: 'docs/rules/audit-logger-missing.md',
  },
  check({ data }) {
    const chain = data.policies?.chain ?? [];
    if (!data.pack || chain.length === 0 || chain.includes('audit-logger')) return [];
    return [{ path: ['policies', 'chain'], part: 'key' as const, message: 'no audit-logger in the chain: blocks and redactions are not recorded in a tamper-evident log', hint: 'append audit-logger to policies.chain' }];
  },
};
