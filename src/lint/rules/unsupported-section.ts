// Rule unsupported-section: documented top-level sections that ktpack accepts but does not act on yet.
import type { Rule } from '../rule.js';

/** Top-level sections ktpack validates loosely but does not enforce, sorted. */
export const UNENFORCED_SECTIONS: readonly string[] = [
  'agents',
  'global_rate_limit',
  'history',
  'ip_rate_limit',
  'loads',
  'model_groups',
  'provider_routing',
  'rate_limits',
  'routes',
  'token_rate_limit',
  'user_rate_limit',
];

/** unsupported-section */
export const unsupportedSection: Rule = {
  id: 'unsupported-section',
  meta: {
    summary: 'A documented top-level section is present that ktpack accepts but does not enforce yet.',
    defaultSeverity: 'warning',
    docs: 'docs/rules/unsupported-section.md',
  },
  check({ data }) {
    return UNENFORCED_SECTIONS.filter((k) => Object.hasOwn(data, k)).map((k) => ({
      path: [k],
      part: 'key' as const,
      message: `"${k}" is accepted but not enforced by ktpack yet; the gateway ignores it`,
    }));
  },
};
