// Rule kind-options: runs each kind's own semantic check() on its policy block.
import { getKind } from '../../kinds/index.js';
import type { Rule } from '../rule.js';

/** Kind finding codes that a dedicated rule already reports (with better positions and hints). */
const COVERED_ELSEWHERE = new Set(['invalid-regex', 'unknown-pii-entity', 'pii-unknown-entity', 'threshold-range', 'regex-invalid', 'regex-catastrophic']);

/** kind-options */
export const kindOptions: Rule = {
  id: 'kind-options',
  meta: {
    summary: "A policy block's options are valid for the schema but wrong for the kind (the kind's own semantic checks).",
    defaultSeverity: 'error',
    docs: 'docs/rules/kind-options.md',
  },
  check({ data }) {
    if (!data.pack) return [];
    const blocks = data.policy ?? {};
    return Object.entries(blocks).flatMap(([id, options]) => {
      const kind = getKind(id);
      if (!kind?.check || !options) return [];
      return kind
        .check(options)
        .filter((f) => !COVERED_ELSEWHERE.has(f.code))
        .map((f) => ({ path: ['policy', id, ...f.path], message: f.message, ...(f.severity ? { severity: f.severity } : {}) }));
    });
  },
};
