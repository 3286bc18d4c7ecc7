// Built-in OpenAI chat model price table (USD per one million tokens) and model-name matching.

/** USD per one million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number;
}

/** Built-in prices of current OpenAI chat models. */
export const PRICES: Record<string, ModelPrice> = {
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-4.1': { input: 2.0, output: 8.0, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4o': { input: 2.5, output: 10.0, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  o3: { input: 2.0, output: 8.0, cachedInput: 0.5 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
};

/** The price of `model`, also matching dated snapshots such as `gpt-4o-2024-08-06`. */
export function priceFor(model: string): ModelPrice | undefined {
  const exact = PRICES[model];
  if (exact) return exact;
  const m = /^(.*?)-\d{4}-\d{2}-\d{2}$/.exec(model);
  return m ? PRICES[m[1]] : undefined;
}

/** True when the built-in table prices `model`. */
export function hasKnownPrice(model: string): boolean {
  return priceFor(model) !== undefined;
}
