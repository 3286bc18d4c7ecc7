// Built-in price table of OpenAI chat and embedding models (USD per 1M tokens), shared by the linter and the proxy's cost accounting.

/** Price of one model in USD per one million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Cached input tokens; undefined when the model has no cached-input discount. */
  cachedInput?: number;
}

/** List prices of OpenAI chat and embedding models, by model id. */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-4': { input: 30.0, output: 60.0 },
  'gpt-4-turbo': { input: 10.0, output: 30.0 },
  'gpt-4.1': { input: 2.0, output: 8.0, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4o': { input: 2.5, output: 10.0, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-5': { input: 1.25, output: 10.0, cachedInput: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2.0, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  o1: { input: 15.0, output: 60.0, cachedInput: 7.5 },
  o3: { input: 2.0, output: 8.0, cachedInput: 0.5 },
  'o3-mini': { input: 1.1, output: 4.4, cachedInput: 0.55 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  // Embeddings: input tokens only.
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
};

/** Drops a dated snapshot suffix (`gpt-4o-2024-08-06` → `gpt-4o`) and a provider prefix (`openai/gpt-4o`). */
export function baseModelId(model: string): string {
  return model.replace(/^[a-z0-9-]+\//i, '').replace(/-\d{4}-\d{2}-\d{2}$/, '');
}

/** The built-in price of `model` (dated snapshots priced like their base model), or undefined. */
export function priceOf(model: string): ModelPrice | undefined {
  return MODEL_PRICES[model] ?? MODEL_PRICES[baseModelId(model)];
}

/** True when the built-in table has a price for `model`. */
export function hasKnownPrice(model: string): boolean {
  return priceOf(model) !== undefined;
}

/** Alias of {@link MODEL_PRICES} (name used by the proxy's cost accounting). */
export const PRICES = MODEL_PRICES;

/** Alias of {@link priceOf}. */
export const priceFor = priceOf;
