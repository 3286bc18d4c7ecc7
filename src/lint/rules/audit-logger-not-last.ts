// Rule audit-logger-not-last: audit-logger belongs at the end of the chain so it records every other policy's outcome.
import type { Rule } from '../rule.js';

/** audit-logger-not-last */
export const auditLoggerNotLast: Rule = {
  id: 'audit-logger-not-last',
  meta: {
    summary: 'audit-logger is in the chain but not last, so policies after it are not reflected in its record.',
    defaultSeverity: 'warning',
    docs: 'docs/rules/audit-logger-not-last.md',
  },
  check({ data }) {
    const chain = data.policies?.chain ?? [];
    const i = chain.lastIndexOf('audit-logger');
    if (i < 0 || i === chain.length - 1) return [];
    return [{ path: ['policies', 'chain', i], message: `audit-logger is at position ${i + 1} of ${chain.length}; put it last so it records the outcome of every policy`, hint: 'move audit-logger to the end of policies.chain' }];
  },
};
