// Rule pack-disabled: `pack.enabled: false` turns every policy off, which is rarely meant to be merged.
import type { Rule } from '../rule.js';

/** pack-disabled */
export const packDisabled: Rule = {
  id: 'pack-disabled',
  meta: {
    summary: 'The pack is switched off (pack.enabled: false): no policy runs.',
    defaultSeverity: 'warning',
    docs: 'docs/rules/pack-disabled.md',
  },
  check({ data }) {
    if (data.pack?.enabled === false) {
      return [{ path: ['pack', 'enabled'], message: 'pack.enabled is false: the gateway passes every request through without applying any policy' }];
    }
    const single = data.policy as { enabled?: unknown; name?: unknown } | undefined;
    if (!data.pack && single?.enabled === false) {
      return [{ path: ['policy', 'enabled'], message: `policy.enabled is false: "${String(single.name)}" is switched off` }];
    }
    return [];
  },
};
