// Cost attribution: prices token usage per model and reads identity tags from headers and the request body.
import { createHmac, randomBytes } from 'node:crypto';
import { findPii } from '../runtime/detectors/pii.js';
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
const ALL_ENTITIES = ['API_KEY', 'CREDIT_CARD', 'EMAIL', 'IBAN', 'IP_ADDRESS', 'PHONE', 'SSN'];

/**
 * Makes client-chosen identifiers safe to store: a value carrying a secret becomes `[API_KEY]` (never attributable),
 * one carrying personal data (an e-mail address, a phone, SSN, card or IBAN number) a keyed pseudonym `pii:<hmac>`
 * that groups the same person's requests without being reversible by trying candidates (a bare hash of an SSN
 * or a phone number is). The key is the audit log's HMAC key when one is configured, so pseudonyms stay stable
 * across restarts; otherwise a random key per process.
 */
export class TagSanitizer {
  private readonly key: string | Buffer;
  private readonly cache = new Map<string, string>();

  constructor(key?: string) {
    this.key = key && key.length > 0 ? key : randomBytes(32);
  }

  /** The stored form of `value`. */
  clean(value: string): string {
    let out = this.cache.get(value);
    if (out !== undefined) return out;
    const found = findPii(value, ALL_ENTITIES);
    if (found.some((s) => s.entity === 'API_KEY')) out = '[API_KEY]';
    else if (found.length > 0 || PERSONAL.test(value)) out = `pii:${createHmac('sha256', this.key).update(value).digest('hex').slice(0, 16)}`;
    else out = value;
    // Team and project ids repeat: remember a bounded number of answers.
    if (this.cache.size >= 1000) this.cache.clear();
    this.cache.set(value, out);
    return out;
  }
}

const defaultSanitizer = new TagSanitizer();

/**
 * Identity tags: `x-team-id` → team, `x-project-id` → project, other headers by name without `x-`;
 * the body's `user` and string `metadata` values when enabled. Values that are not short identifiers are dropped;
 * values carrying secrets or personal data are replaced (see {@link TagSanitizer}).
 */
export function readTags(headers: Record<string, string | string[] | undefined>, body: Record<string, unknown> | undefined, cost: Omit<IrCost, 'src'>, sanitizer: TagSanitizer = defaultSanitizer): Record<string, string> {
  const tags: Record<string, string> = {};
  const tagValue = (v: string): string => sanitizer.clean(v);
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
