// Rule fallback-unknown-target: fallback lists and model groups must name targets that exist.
import { didYouMean, type JsonPath } from '../../diagnostics.js';
import type { Rule, RuleFinding } from '../rule.js';

/** fallback-unknown-target */
export const fallbackUnknownTarget: Rule = {
  id: 'fallback-unknown-target',
  meta: {
    summary: 'A fallback list or model group names a target id that no providers.targets entry has.',
    defaultSeverity: 'error',
    docs: 'docs/rules/fallback-unknown-target.md',
  },
  check({ data }) {
    const ids = [...new Set((data.providers?.targets ?? []).map((t) => t.id).filter((id): id is string => typeof id === 'string'))];
    const out: RuleFinding[] = [];
    const checkList = (list: unknown, at: JsonPath) => {
      if (!Array.isArray(list)) return;
      list.forEach((ref, i) => {
        if (typeof ref !== 'string' || ids.includes(ref)) return;
        const suggestion = didYouMean(ref, ids);
        out.push({
          path: [...at, i],
          message: `no target has id "${ref}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          hint: ids.length ? `target ids: ${ids.join(', ')}` : 'define the target under providers.targets',
        });
      });
    };
    checkList(data.providers?.fallback?.targets, ['providers', 'fallback', 'targets']);
    checkList(data.provider_fallback?.targets, ['provider_fallback', 'targets']);
    const groups = Array.isArray(data.model_groups) ? data.model_groups : [];
    const names = groups.map((g) => g.name);
    groups.forEach((g, i) => {
      checkList(g.targets, ['model_groups', i, 'targets']);
      if (typeof g.fallback_group === 'string' && !names.includes(g.fallback_group)) {
        out.push({ path: ['model_groups', i, 'fallback_group'], message: `no model group is named "${g.fallback_group}"` });
      }
    });
    return out;
  },
};
