// Cost attribution: prices token usage per model and reads identity tags from headers and the request body.
import { createHash } from 'node:crypto';
import { priceOf } from '../pricing/prices.js';
import type { IrCost, IrPricing, IrTarget } from '../runtime/types.js';

const NO_PRICE: IrPricing = { inputPer1m: null, outputPer1m: null, cachedInputPer1m: null };

/** Token usage as OpenAI reports it (chat completions). */
export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

/** The cost of one request, in USD; null when the model has no known price. */
export interface Cost {
  usd: number | null;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

/** Default attribution settings when the pack has no cost-attribution policy. */
export const DEFAULT_COST: Omit<IrCost, 'src'> = { tagHeaders: ['x-team-id', 'x-project-id'], tagsFromBody: true, requireTags: false, pricing: {} };

/** Prices `usage` for `model`: target pricing, then the pack's cost-attribution pricing, then the built-in table. */
export function priceUsage(usage: Usage | null | undefined, model: string, target: IrTarget | undefined, cost: Omit<IrCost, 'src'>): Cost {
  const input = num(usage?.prompt_tokens);
  const output = num(usage?.completion_tokens);
  const cached = Math.min(input, num(usage?.prompt_tokens_details?.cached_tokens));
  const builtin = priceOf(model);
  const packPrice = cost.pricing[model] ?? NO_PRICE;
  const targetPrice = target?.pricing ?? NO_PRICE;
  const inPrice = targetPrice.inputPer1m ?? packPrice.inputPer1m ?? builtin?.input;
  const outPrice = targetPrice.outputPer1m ?? packPrice.outputPer1m ?? builtin?.output;
  const cachedPrice = targetPrice.cachedInputPer1m ?? packPrice.cachedInputPer1m ?? builtin?.cachedInput ?? inPrice;
  const base = { model, inputTokens: input, outputTokens: output, cachedTokens: cached };
  // Unknown usage or an unpriced model: the cost is unknown, never silently zero.
  if (!usage || inPrice === undefined || outPrice === undefined) return { ...base, usd: null };
  const usd = ((input - cached) * inPrice + cached * (cachedPrice ?? inPrice) + output * outPrice) / 1_000_000;
  // Rounded to a nano-dollar: exact enough for one small request, and free of float noise in the record.
  return { ...base, usd: Math.round(usd * 1e9) / 1e9 };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

const TAG_VALUE = /^[\w.:@/-]{1,128}$/;
const MAX_METADATA_TAGS = 16;
const PERSONAL = /@|^\+?\d[\d.-]{6,}$/;

/** Tag values that look personal (an email address, a phone number) are pseudonymised: attributable, not readable. */
function tagValue(v: string): string {
  return PERSONAL.test(v) ? `sha256:${createHash('sha256').update(v).digest('hex').slice(0, 16)}` : v;
}

/**
 * Identity tags: `x-team-id` → team, `x-project-id` → project, other headers by name without `x-`;
 * the body's `user` and string `metadata` values when enabled. Values that are not short identifiers are dropped.
 */
export function readTags(headers: Record<string, string | string[] | undefined>, body: Record<string, unknown> | undefined, cost: Omit<IrCost, 'src'>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const h of cost.tagHeaders) {
    const raw = headers[h];
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (typeof v === 'string' && TAG_VALUE.test(v)) tags[tagName(h)] = tagValue(v);
  }
  if (cost.tagsFromBody && body) {
    if (typeof body.user === 'string' && TAG_VALUE.test(body.user)) tags.user ??= tagValue(body.user);
    const md = body.metadata;
    if (md && typeof md === 'object' && !Array.isArray(md)) {
      // OpenAI accepts at most 16 metadata pairs; more would let one request inflate its audit record.
      for (const [k, v] of Object.entries(md as Record<string, unknown>).slice(0, MAX_METADATA_TAGS)) {
        if (/^\w{1,64}$/.test(k) && typeof v === 'string' && TAG_VALUE.test(v)) tags[k] ??= tagValue(v);
      }
    }
  }
  return tags;
}

function tagName(header: string): string {
  return header.replace(/^x-/, '').replace(/-id$/, '').replace(/-/g, '_');
}
