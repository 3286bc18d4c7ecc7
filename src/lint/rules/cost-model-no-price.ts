// Rule cost-model-no-price: with cost attribution on, a target whose model has no price is recorded as costing nothing.
import { hasKnownPrice } from '../../pricing/prices.js';
import type { Rule, RuleFinding } from '../rule.js';

/** The model a target sends upstream: `model`, else the model in a colon id (`openai:chat:gpt-4o`). */
export function targetModel(target: Record<string, unknown>): string | undefined {
  if (typeof target.model === 'string') return target.model;
  const provider = typeof target.provider === 'string' ? target.provider.split(':') : [];
  return provider.length >= 3 ? provider.slice(2).join(':') : undefined;
}

/** cost-model-no-price */
export const costModelNoPrice: Rule = {
  id: 'cost-model-no-price',
  meta: {
    summary: 'cost-attribution is in the chain but a target model has no known price, so its spend is recorded as zero.',
    defaultSeverity: 'warning',
    docs: 'docs/rules/cost-model-no-price.md',
  },
  check({ data }) {
    if (!(data.policies?.chain ?? []).includes('cost-attribution')) return [];
    const overrides = (data.policy?.['cost-attribution']?.pricing ?? {}) as Record<string, unknown>;
    const out: RuleFinding[] = [];
    (data.providers?.targets ?? []).forEach((t, i) => {
      if (t.pricing && typeof t.pricing === 'object') return;
      const model = targetModel(t);
      const at = ['providers', 'targets', i, t.model !== undefined ? 'model' : 'provider'];
      if (model === undefined) {
        out.push({ path: ['providers', 'targets', i, 'provider'], message: `target "${String(t.id)}" names no model, so the client's model is used and its price cannot be checked`, hint: 'set `model`, or give the target `pricing`' });
      } else if (!hasKnownPrice(model) && !Object.hasOwn(overrides, model)) {
        out.push({ path: at, message: `model "${model}" of target "${String(t.id)}" has no known price; its cost would be recorded as 0`, hint: `add \`pricing: {input_per_1m: …, output_per_1m: …}\` to the target or policy.cost-attribution.pricing."${model}"` });
      }
    });
    return out;
  },
};
