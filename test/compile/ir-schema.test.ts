// Every built IR validates against schemas/ir.v1.schema.json, and the TypeScript IR types cannot drift from the schema.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile as schemaToTs } from 'json-schema-to-typescript';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { loadDocument } from '../../src/load/document.js';
import { ROOT } from '../helpers/cli.js';
import { IR_SCHEMA, irSchemaErrors } from '../helpers/ir-schema.js';
import { VARIANTS } from './variants.js';
import { TEMPLATES } from '../../src/init/templates.js';

const packsDir = join(ROOT, 'packs');
const shipped = readdirSync(packsDir).map((name) => ({ name: `packs/${name}`, yaml: readFileSync(join(packsDir, name, 'policy-config.yaml'), 'utf8') }));

describe('IR schema', () => {
  const templates = TEMPLATES.map((t) => ({ name: `init template ${t.name}`, yaml: t.config('t') }));
  for (const p of [...shipped, ...VARIANTS, ...templates]) {
    it(`the IR of ${p.name} validates`, () => {
      const r = compile(loadDocument('policy-config.yaml', p.yaml));
      expect(r.diagnostics).toEqual([]);
      expect(irSchemaErrors(r.ir)).toEqual([]);
    });
  }

  it('rejects an IR with an unknown action or a missing src', () => {
    const ir = structuredClone(compile(loadDocument('policy-config.yaml', shipped[0].yaml)).ir!) as unknown as { request: Array<Record<string, unknown>> };
    ir.request[0].action = 'allow-all';
    delete ir.request[0].src;
    expect(irSchemaErrors(ir).join('\n')).toMatch(/action[\s\S]*src|src[\s\S]*action/);
  });
});

const TYPES = ['PolicyIr', 'IrPack', 'IrStep', 'IrRegex', 'PromptInjectionStep', 'PromptInjectionOptions', 'PiiDetectorStep', 'PiiDetectorOptions', 'PiiCustomPattern', 'PiiMarkers', 'ContentFilterStep', 'ContentFilterOptions', 'IrTarget', 'IrPricing', 'IrTimeouts', 'IrFallback', 'IrAudit', 'IrCost', 'IrLimits', 'SourceRef'];

/** Type-checks generated-from-schema types against src/runtime/types.ts; returns the errors. */
async function driftErrors(schemas: Record<string, Record<string, unknown>>): Promise<Record<string, string[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'ktpack-drift-'));
  const files: string[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    const generated = await schemaToTs(schema as never, 'PolicyIr', { bannerComment: '', additionalProperties: false, format: false });
    writeFileSync(join(dir, `${name}.gen.ts`), generated);
    const checks = TYPES.map((t) => {
      const ours = t === 'IrPack' ? `Ours.PolicyIr['pack']` : `Ours.${t}`;
      return `export const ${t}_same: Same<${ours}, Gen.${t}> = true;\nexport const ${t}_keys: Same<keyof ${ours}, keyof Gen.${t}> = true;`;
    });
    const file = join(dir, `${name}.check.ts`);
    writeFileSync(
      file,
      `import type * as Ours from ${JSON.stringify(join(ROOT, 'src/runtime/types.js'))};\nimport type * as Gen from './${name}.gen.js';\n` +
        `type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;\n${checks.join('\n')}\n`,
    );
    files.push(file);
  }
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  });
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(schemas)) out[name] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = Object.keys(schemas).find((n) => d.file?.fileName.endsWith(`${n}.check.ts`) || d.file?.fileName.endsWith(`${n}.gen.ts`));
    out[name ?? 'other'] ??= [];
    // Name the check that failed (`PiiDetectorOptions_same`), not only the type error.
    const line = d.file && d.start !== undefined ? d.file.text.slice(d.file.text.lastIndexOf('\n', d.start) + 1, d.file.text.indexOf('\n', d.start)) : '';
    const check = /export const (\w+)/.exec(line)?.[1];
    out[name ?? 'other'].push(`${check ? `${check}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]}`);
  }
  return out;
}

describe('IR types and schema stay in step', () => {
  it('types generated from ir.v1.schema.json equal src/runtime/types.ts (and a drifted schema is caught)', async () => {
    const drifted = structuredClone(IR_SCHEMA) as { $defs: Record<string, { properties: Record<string, unknown>; required: string[] }> };
    drifted.$defs.target.properties.region = { type: 'string' };
    drifted.$defs.target.required.push('region');
    delete drifted.$defs.fallback.properties.maxAttempts;
    drifted.$defs.fallback.required = drifted.$defs.fallback.required.filter((k) => k !== 'maxAttempts');
    // A kind's options drifting (a field dropped, an enum widened) is caught too.
    const options = structuredClone(IR_SCHEMA) as { $defs: Record<string, { properties: Record<string, { enum?: string[] }>; required: string[] }> };
    delete options.$defs.piiDetectorOptions.properties.scanResponses;
    options.$defs.piiDetectorOptions.required = options.$defs.piiDetectorOptions.required.filter((k) => k !== 'scanResponses');
    options.$defs.contentFilterOptions.properties.applyTo.enum!.push('tools');
    const errors = await driftErrors({ real: IR_SCHEMA, drifted: drifted as unknown as Record<string, unknown>, options: options as unknown as Record<string, unknown> });
    if (process.env.DRIFT_DEBUG) console.log(errors);
    expect(errors.real).toEqual([]);
    expect(errors.other ?? []).toEqual([]);
    expect(errors.drifted.join('\n')).toMatch(/IrTarget_same|IrFallback_keys|not assignable/);
    expect(errors.drifted.length).toBeGreaterThanOrEqual(2);
    expect(errors.options.join('\n')).toMatch(/PiiDetectorOptions_/);
    expect(errors.options.join('\n')).toMatch(/ContentFilterOptions_same/);
  }, 60_000);
});
