// Rule kind-options: runs each kind's own semantic check() on its policy block.
import { getKind } from '../../kinds/index.js';
import type { Rule } from '../rule.js';

/** kind-options */
export const kindOptions: Rule = {
  id: 'kind-options',
  meta: {
    summary: "A policy block's options are valid for the schema but wrong for the kind (e.g. an unknown PII entity).",
    defaultSeverity: 'error',
    docs: 'docs/rules/kind-options.md',
  },
  check({ data }) {
    const blocks = data.policy ?? {};
    return Object.entries(blocks).flatMap(([id, options]) => {
      const kind = getKind(id);
      if (!kind?.check || !options) return [];
      return kind.check(options).map((f) => ({ path: ['policy', id, ...f.path], message: f.message }));
    });
  },
};
