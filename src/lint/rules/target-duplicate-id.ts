// Rule target-duplicate-id: target ids are how fallback and model groups refer to targets, so they must be unique.
import type { Rule } from '../rule.js';

/** target-duplicate-id */
export const targetDuplicateId: Rule = {
  id: 'target-duplicate-id',
  meta: {
    summary: 'Two providers.targets entries share an id.',
    defaultSeverity: 'error',
    docs: 'docs/rules/target-duplicate-id.md',
  },
  check({ data }) {
    const first = new Map<string, number>();
    return (data.providers?.targets ?? []).flatMap((t, i) => {
      const id = t.id;
      if (typeof id !== 'string') return [];
      const at = first.get(id);
      if (at === undefined) {
        first.set(id, i);
        return [];
      }
      return [{ path: ['providers', 'targets', i, 'id'], message: `duplicate target id "${id}" (first used by providers.targets[${at}])`, hint: 'give every target a unique id' }];
    });
  },
};
