// Checks an IR read from a bundle against schemas/ir.v1.schema.json and compiles its regexes, before anything runs it.
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { IrStep } from '../runtime/types.js';
import { loadSchema } from '../schemas.js';
import { requirePrecompiled } from '../validate/precompiled.js';

let validate: ValidateFunction | undefined;

/**
 * The IR validator: precompiled by scripts/build-validators.mjs (dist/generated/ir-validator.cjs), so
 * serving a bundle loads neither ajv nor the schema compiler; compiled with ajv when running from source
 * (tests), with the same options as the build script.
 */
function irValidator(): ValidateFunction {
  const precompiled = requirePrecompiled<ValidateFunction>('ir-validator.cjs', import.meta.url);
  if (precompiled) return precompiled;
  const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Ajv2020({ allErrors: true, strict: false, discriminator: true }).compile(loadSchema('ir.v1.schema.json'));
}

/**
 * Why `ir` cannot be run by this ktpack (schema violations, regexes that do not compile), as short
 * lines with JSON pointers; empty when it is sound. A bundle's hash only proves it was not edited
 * after its build; this proves the IR is one this evaluator understands.
 */
export function irProblems(ir: unknown): string[] {
  validate ??= irValidator();
  if (!validate(ir)) {
    // Steps are discriminated by `kind`, so each error comes from the schema of the step's own kind.
    return [...new Set((validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`))].slice(0, 5);
  }
  const problems: string[] = [];
  const steps = [...(ir as { request: IrStep[] }).request.map((s, i) => [`/request/${i}`, s] as const), ...(ir as { response: IrStep[] }).response.map((s, i) => [`/response/${i}`, s] as const)];
  for (const [at, step] of steps) {
    const regexes =
      step.kind === 'prompt-injection' ? step.options.attackPatterns.map((r, i) => [`attackPatterns/${i}`, r] as const)
      : step.kind === 'pii-detector' ? step.options.customPatterns.map((r, i) => [`customPatterns/${i}`, r] as const)
      : step.options.blockedPatterns.map((r, i) => [`blockedPatterns/${i}`, r] as const);
    for (const [where, r] of regexes) {
      try {
        new RegExp(r.source, r.flags);
      } catch {
        problems.push(`${at}/options/${where} is not a valid regular expression`);
      }
    }
  }
  return problems;
}
