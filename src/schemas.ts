// Reads the JSON Schema contracts shipped in schemas/ (next to dist/ in the installed package).
import { readdirSync, readFileSync } from 'node:fs';

const SCHEMA_DIR = new URL('../schemas/', import.meta.url);
const cache = new Map<string, Record<string, unknown>>();

/** Loads a schema by its path relative to `schemas/`, e.g. `kinds/pii-detector.schema.json`. */
export function loadSchema(relativePath: string): Record<string, unknown> {
  let schema = cache.get(relativePath);
  if (!schema) {
    schema = JSON.parse(readFileSync(new URL(relativePath, SCHEMA_DIR), 'utf8')) as Record<string, unknown>;
    cache.set(relativePath, schema);
  }
  return schema;
}

/** Top-level `default`s of an object schema, applied under `options` (which win). */
export function withDefaults(schema: Record<string, unknown>, options: Record<string, unknown>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(props)) {
    if (prop.default !== undefined) out[key] = structuredClone(prop.default);
  }
  return { ...out, ...options };
}

/** Every schema the pack schema references: providers, testing and one file per kind. */
export function referencedSchemas(): Record<string, unknown>[] {
  const kinds = readdirSync(new URL('kinds/', SCHEMA_DIR))
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((f) => loadSchema(`kinds/${f}`));
  return [loadSchema('providers.schema.json'), loadSchema('testing.schema.json'), ...kinds];
}
