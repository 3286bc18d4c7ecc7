// The schema's derived artifacts stay in step: draft-07 bundle, generated types (tsc --strict), kind catalog, CLI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft7 from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UNSUPPORTED_KINDS } from '../../src/lint/kind-catalog.js';
import { MINI_PACK, ROOT, runCli, SEED_PACK } from '../helpers/cli.js';
// @ts-expect-error plain .mjs script without types
import { buildDraft07, buildTypes } from '../../scripts/generate-schema-artifacts.mjs';

const committedDraft07 = JSON.parse(readFileSync(`${ROOT}schemas/policy-config.draft-07.schema.json`, 'utf8'));
const committedTypes = readFileSync(`${ROOT}src/generated/policy-config.ts`, 'utf8');

describe('schema artifacts', () => {
  it('the committed draft-07 bundle and generated types match the schemas (run `npm run generate`)', async () => {
    const draft07 = buildDraft07();
    expect(draft07).toEqual(committedDraft07);
    expect(await buildTypes(draft07)).toBe(committedTypes);
  });

  it('generated types have no numbered duplicate names', () => {
    const names = [...committedTypes.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => /\d$/.test(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('the draft-07 bundle validates the seed packs and rejects a typo (plain draft-07 ajv, as editors use)', () => {
    const ajv = new (AjvDraft7 as unknown as typeof AjvDraft7.default)({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(committedDraft07);
    for (const file of [SEED_PACK, MINI_PACK]) expect(validate(parse(readFileSync(file, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parse(readFileSync(SEED_PACK, 'utf8').replace('retention_days', 'retention_dys')))).toBe(false);
  });

  it('generated types compile under tsc --strict and type the seed pack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-types-'));
    writeFileSync(join(dir, 'policy-config.ts'), committedTypes);
    const seed = JSON.stringify(parse(readFileSync(SEED_PACK, 'utf8')));
    writeFileSync(
      join(dir, 'use.ts'),
      `import type { PolicyConfig, ConfigDocument } from './policy-config.js';\nexport const seed: PolicyConfig = ${seed};\n// @ts-expect-error unknown keys are type errors\nexport const bad: ConfigDocument = { pack: { name: 'x', version: '1.0.0', enabled: true, nmae: 'y' }, policies: { chain: [] } };\n`,
    );
    // No ambient @types: the declarations must stand on their own.
    const compilerOptions = { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: [], lib: ['es2022'] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['use.ts'] }));
    const run = () => execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', dir], { encoding: 'utf8' });
    expect(run).not.toThrow();
  }, 60_000);

  it("'ktpack/types' types packs and decisions for a consumer without @types/node, under every moduleResolution", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT.replace(/\/$/, ''), join(dir, 'node_modules', 'ktpack'), 'dir');
    const seed = JSON.stringify(parse(readFileSync(SEED_PACK, 'utf8')));
    writeFileSync(
      join(dir, 'use.ts'),
      `import type { PolicyConfig, Decision } from 'ktpack/types';\nexport const seed: PolicyConfig = ${seed};\nexport const verdict = (d: Decision): string => d.verdict;\n// @ts-expect-error a verdict is allow, redact or block\nexport const bad: Decision['verdict'] = 'maybe';\n`,
    );
    // node10 (`"moduleResolution": "node"`, the default for `module: commonjs`) ignores `exports`: it needs typesVersions.
    for (const [module, moduleResolution] of [['NodeNext', 'NodeNext'], ['ESNext', 'Bundler'], ['CommonJS', 'Node10']]) {
      const compilerOptions = { strict: true, noEmit: true, target: 'ES2022', module, moduleResolution, types: [], lib: ['es2022'] };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['use.ts'] }));
      const run = () => execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', dir], { encoding: 'utf8' });
      expect(run, moduleResolution).not.toThrow();
    }
  }, 60_000);

  it('the pack schema lists exactly the unsupported kinds the linter names', () => {
    const schema = JSON.parse(readFileSync(`${ROOT}schemas/policy-config.schema.json`, 'utf8'));
    const props = schema.$defs.ConfigDocument.properties.policy.properties as Record<string, { $ref: string }>;
    const unsupported = Object.entries(props).filter(([, v]) => v.$ref === '#/$defs/unsupportedKindOptions').map(([k]) => k);
    expect(unsupported).toEqual([...UNSUPPORTED_KINDS]);
  });

  it('ktpack schema prints both variants; ktpack types writes the declarations', async () => {
    const main = await runCli(['schema']);
    expect(main.code).toBe(0);
    expect(JSON.parse(main.stdout).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const d7 = await runCli(['schema', '--draft-07']);
    expect(JSON.parse(d7.stdout)).toEqual(committedDraft07);
    const kind = await runCli(['schema', '--kind', 'pii-detector']);
    expect(JSON.parse(kind.stdout).title).toBe('PiiDetectorOptions');
    expect((await runCli(['schema', '--kind', 'nope'])).code).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-types-out-'));
    const types = await runCli(['types', '-o', dir]);
    expect(types.code).toBe(0);
    const written = readFileSync(join(dir, 'policy-config.d.ts'), 'utf8');
    expect(written).toContain('export interface ConfigDocument');
    expect(written.startsWith('//')).toBe(true);
    const decision = readFileSync(join(dir, 'decision.d.ts'), 'utf8');
    expect(decision).toMatch(/export interface Decision\b/);
    expect(decision).toMatch(/export interface ChatRequest\b/);
    expect((await runCli(['types'])).code).toBe(2);
  });
});
