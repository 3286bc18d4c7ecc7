// Build half of cost-attribution: metadata, options schema and lowering to the IR's cost settings.
import { hasKnownPrice, priceOf, type ModelPrice } from '../../pricing/prices.js';
import { loadSchema, withDefaults } from '../../schemas.js';
import type { IrPricing } from '../../runtime/types.js';
import type { KindDefinition } from '../types.js';

/** cost-attribution kind. */
export const costAttributionKind: KindDefinition = {
  id: 'cost-attribution',
  meta: {
    summary: 'Prices token usage per model and tags it with team, project and user identity (record-only).',
    phase: 'none',
    actions: ['log'],
    docs: 'docs/kinds/cost-attribution.md',
  },
  schemaFile: 'kinds/cost-attribution.schema.json',
  check(options) {
    const pricing = (options.pricing ?? {}) as Record<string, Record<string, unknown>>;
    return Object.entries(pricing).flatMap(([model, p]) =>
      p && p.input_per_1m === undefined && p.output_per_1m === undefined && !hasKnownPrice(model)
        ? [{ path: ['pricing', model], code: 'cost-attribution/unpriced-model', severity: 'warning' as const, message: `pricing for "${model}" sets no input_per_1m or output_per_1m and the model has no built-in price; its cost will be recorded as unknown` }]
        : [],
    );
  },
  lower(options) {
    const o = withDefaults(loadSchema(this.schemaFile), options);
    const pricing: Record<string, IrPricing> = {};
    for (const [model, p] of Object.entries((o.pricing ?? {}) as Record<string, Record<string, unknown>>)) pricing[model] = lowerPricing(p, priceOf(model));
    return {
      cost: {
        tagHeaders: (o.tag_headers as string[]).map((h) => h.toLowerCase()),
        tagsFromBody: o.tags_from_body as boolean,
        requireTags: o.require_tags as boolean,
        pricing,
      },
    };
  },
};

/**
 * `{input_per_1m, output_per_1m, cached_input_per_1m}` → IR pricing, fields the pack leaves out taken
 * from `builtin` (ktpack's table at build time, so the bundle fixes its prices); null: unknown.
 */
export function lowerPricing(p: Record<string, unknown>, builtin?: ModelPrice): IrPricing {
  const n = (v: unknown, fallback: number | undefined): number | null => (typeof v === 'number' ? v : (fallback ?? null));
  return { inputPer1m: n(p.input_per_1m, builtin?.input), outputPer1m: n(p.output_per_1m, builtin?.output), cachedInputPer1m: n(p.cached_input_per_1m, builtin?.cachedInput) };
}
