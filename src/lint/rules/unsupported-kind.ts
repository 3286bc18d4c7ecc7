// Rule unsupported-kind: a documented Keeptrusts kind that ktpack cannot run yet, in the chain or configured.
import { isUnsupportedKind, supportedKindIds } from '../kind-catalog.js';
import type { Rule, RuleFinding } from '../rule.js';

/** unsupported-kind */
export const unsupportedKind: Rule = {
  id: 'unsupported-kind',
  meta: {
    summary: 'A documented policy kind that ktpack cannot run yet is in the chain or configured (its protection would be missing).',
    defaultSeverity: 'error',
    docs: 'docs/rules/unsupported-kind.md',
  },
  check({ data }) {
    const out: RuleFinding[] = [];
    const hint = `kinds ktpack runs: ${supportedKindIds().join(', ')}`;
    (data.policies?.chain ?? []).forEach((entry, i) => {
      if (typeof entry === 'string' && isUnsupportedKind(entry)) {
        out.push({ path: ['policies', 'chain', i], message: `policy kind "${entry}" is not supported by ktpack yet; the gateway cannot enforce it`, hint });
      }
    });
    const chain = new Set(data.policies?.chain ?? []);
    for (const id of Object.keys(data.policy ?? {})) {
      // A kind in the chain is reported once, at its chain entry.
      if (isUnsupportedKind(id) && !chain.has(id)) {
        out.push({ path: ['policy', id], part: 'key', message: `policy kind "${id}" is not supported by ktpack yet; its settings are ignored`, hint });
      }
    }
    const single = data.policy as { name?: unknown } | undefined;
    if (!data.pack && typeof single?.name === 'string' && isUnsupportedKind(single.name)) {
      out.push({ path: ['policy', 'name'], message: `stand-alone "${single.name}" documents are not supported by ktpack yet`, hint });
    }
    return out;
  },
};
