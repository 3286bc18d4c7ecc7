// Test helper: validates IR documents against schemas/ir.v1.schema.json with ajv (draft 2020-12).
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

export const IR_SCHEMA = JSON.parse(readFileSync(new URL('../../schemas/ir.v1.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const validate = new Ajv2020({ allErrors: true, strict: true, discriminator: true }).compile(IR_SCHEMA);

/** Schema errors of `ir` as readable strings; empty when valid. */
export function irSchemaErrors(ir: unknown): string[] {
  return validate(ir) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
