// Lint/build parity: a full pack that `ktpack lint` passes clean must not fail `ktpack build` for a reason lint could know.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { irProblems } from '../../src/emit/verify-ir.js';
import { lintText } from '../../src/lint/lint.js';
import { RULES } from '../../src/lint/rules/index.js';
import { loadDocument } from '../../src/load/document.js';
import { ROOT, SEED_PACK } from '../helpers/cli.js';

/** Each compile code and the lint rules that report the same problem first. */
const COUNTERPART: Record<string, string[]> = {
  'literal-secret': ['literal-secret'],
  'unknown-kind': ['chain-unknown-kind', 'unsupported-kind'],
  'unknown-target': ['fallback-unknown-target'],
  'unsupported-option': ['unsupported-option'],
};
/** Compile codes without a lint counterpart, and why that is right. */
const EXEMPT: Record<string, string> = {
  // Every kind that acts on traffic has a run half (test/meta/registries.test.ts), so no pack can reach it.
  'no-runtime': 'unreachable',
  // A stand-alone policy document is a valid file of the format (policy libraries lint them alone); only a gateway needs a full pack.
  'single-policy-document': 'not a pack',
};

const seed = readFileSync(SEED_PACK, 'utf8');

/** Lints `yaml`, then compiles it whatever lint said (as if lint had been skipped). */
function both(yaml: string) {
  const linted = lintText('p.yaml', yaml);
  const compiled = compile(linted.document, 'p.yaml');
  return { lintErrors: linted.diagnostics.filter((d) => d.severity === 'error'), compiled };
}

describe('every compile error has a lint counterpart', () => {
  it('each code the compiler can emit is mapped to existing lint rules, or exempt with a reason', () => {
    const source = ['src/compile/compile.ts', 'src/compile/build-refusals.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const codes = new Set([...source.matchAll(/\bfail\((?:\[[^\]]*\]|[\w.]+),\s*'([a-z-]+)'/g), ...source.matchAll(/code: '([a-z-]+)'/g)].map((m) => m[1]));
    for (const code of ['literal-secret', 'unsupported-option', 'unknown-kind', 'unknown-target', 'single-policy-document', 'no-runtime']) expect(codes).toContain(code);
    const ruleIds = RULES.map((r) => r.id);
    for (const code of codes) {
      expect(code in COUNTERPART || code in EXEMPT, `compile/${code} has neither a lint counterpart nor an exemption`).toBe(true);
      for (const rule of COUNTERPART[code] ?? []) {
        expect(ruleIds).toContain(rule);
        expect(RULES.find((r) => r.id === rule)!.meta.defaultSeverity, rule).toBe('error');
      }
    }
  });
});

const REFUSED: Array<{ name: string; yaml: string }> = [
  { name: 'healthcare_mode: true', yaml: seed.replace('    action: redact\n', '    action: redact\n    healthcare_mode: true\n') },
  { name: 'a secret store', yaml: seed.replace('        env: OPENAI_API_KEY\n', '        store: openai-prod\n') },
  { name: 'an api_key ${VAR} reference', yaml: seed.replace('      secret_key_ref:\n        env: OPENAI_API_KEY\n', '      api_key: ${OPENAI_API_KEY}\n') },
  { name: 'an empty api_key', yaml: seed.replace('      secret_key_ref:\n        env: OPENAI_API_KEY\n', "      api_key: ''\n") },
  { name: 'a literal api_key', yaml: seed.replace('      secret_key_ref:\n        env: OPENAI_API_KEY\n', '      api_key: hunter2-correct-horse\n') },
  { name: 'an unknown kind in the chain', yaml: seed.replace('    - audit-logger\n', '    - toxicity-filter\n    - audit-logger\n') },
  { name: 'a documented kind ktpack cannot run', yaml: seed.replace('    - audit-logger\n', '    - rbac\n    - audit-logger\n') },
  { name: 'an unknown fallback target', yaml: `${seed}provider_fallback:\n  targets: [chatgpt-enterprise, backup]\n` },
  { name: 'everything at once', yaml: seed.replace('    action: redact\n', '    action: redact\n    healthcare_mode: true\n').replace('        env: OPENAI_API_KEY\n', '        store: openai-prod\n').replace('    - audit-logger\n', '    - rbac\n    - audit-logger\n') },
];

describe('what the build refuses, lint reports first', () => {
  for (const c of REFUSED) {
    it(c.name, () => {
      const { lintErrors, compiled } = both(c.yaml);
      // The case is real: the compiler, run without lint, refuses it.
      expect(compiled.ir).toBeUndefined();
      expect(compiled.diagnostics.length).toBeGreaterThan(0);
      for (const d of compiled.diagnostics) {
        const code = d.code.replace(/^compile\//, '');
        const match = lintErrors.find((l) => (COUNTERPART[code] ?? []).includes(l.code) && l.path.join('.') === d.path.join('.'));
        expect(match, `${d.code} at ${d.path.join('.')} has no lint error there: ${JSON.stringify(lintErrors.map((l) => [l.code, l.path.join('.')]))}`).toBeDefined();
        // Findings both derive from src/compile/build-refusals.ts carry the build's own words.
        if (code === 'unsupported-option') expect(match!.message).toBe(d.message);
        if (code === 'literal-secret' && match!.message.startsWith('target ')) expect(match!.message).toBe(d.message);
        expect(`${match!.message} ${match!.hint ?? ''}`).not.toMatch(/hunter2|sk-/);
      }
    });
  }
});

// --- A sweep: every single-option variant of the seed pack that lints clean must build into a sound IR. ---

type Schema = Record<string, any>;
const schemaFile = (rel: string): Schema => JSON.parse(readFileSync(join(ROOT, 'schemas', rel), 'utf8'));
const SCHEMAS: Record<string, Schema> = Object.fromEntries(
  ['policy-config.schema.json', 'providers.schema.json', 'testing.schema.json', ...['audit-logger', 'content-filter', 'cost-attribution', 'pii-detector', 'prompt-injection'].map((k) => `kinds/${k}.schema.json`)].map((f) => [f, schemaFile(f)]),
);

function deref(schema: Schema, file: string): [Schema | undefined, string] {
  for (let i = 0; schema?.$ref && i < 10; i++) {
    const [f, pointer] = (schema.$ref as string).split('#');
    file = f || file;
    let s: Schema | undefined = SCHEMAS[file];
    if (!s) return [undefined, file];
    for (const part of (pointer ?? '').split('/').filter(Boolean)) s = s?.[part];
    schema = s!;
  }
  return [schema, file];
}

/** (path, value) pairs from the schema: enums, bounds, defaults, typical strings, one-property objects. */
function candidates(): Array<[Array<string | number>, unknown]> {
  const out: Array<[Array<string | number>, unknown]> = [];
  const walk = (raw: Schema, file: string, path: Array<string | number>, depth: number): void => {
    const [schema, at] = deref(raw, file);
    if (!schema || depth > 6) return;
    const types = ([] as string[]).concat(schema.type ?? []);
    const values: unknown[] = [...(schema.enum ?? []), ...('const' in schema ? [schema.const] : []), ...(schema.default !== undefined ? [schema.default] : []), ...(schema.examples ?? [])];
    if (types.includes('boolean')) values.push(true, false);
    if (types.includes('integer') || types.includes('number')) values.push(...['minimum', 'maximum'].filter((k) => schema[k] !== undefined).map((k) => schema[k]), 0, 1, 100_000);
    if (types.includes('string')) values.push('x', 'https://example.com/v1', 'a(b', '${OPENAI_API_KEY}', '');
    if (types.includes('array') || schema.items) values.push([]);
    if (types.includes('object') && !schema.properties) values.push({});
    for (const v of values) out.push([path, v]);
    for (const branch of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) walk(branch, at, path, depth + 1);
    if (schema.items) walk(schema.items, at, [...path, 0], depth + 1);
    for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      const from = out.length;
      walk(sub, at, [...path, key], depth + 1);
      // The object with only this property, for one-of objects such as secret_key_ref.
      for (const [p, v] of out.slice(from, from + 8)) if (p.length === path.length + 1) out.push([path, { [key]: v }]);
    }
  };
  walk(SCHEMAS['policy-config.schema.json'].$defs.ConfigDocument, 'policy-config.schema.json', [], 0);
  return out;
}

function setAt(data: Record<string, any>, path: Array<string | number>, value: unknown): void {
  let node = data;
  path.slice(0, -1).forEach((key, i) => {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key];
  });
  node[path[path.length - 1]] = value;
}

describe('sweep: single-option variants of the seed pack', () => {
  it('every variant that lints clean compiles, and its IR is one the runtime accepts', () => {
    const base = loadDocument('seed.yaml', seed).data as Record<string, any>;
    base.policies.chain = ['prompt-injection', 'pii-detector', 'content-filter', 'cost-attribution', 'audit-logger'];
    base.policy['content-filter'] = { action: 'block', blocked_terms: ['forbidden'] };
    base.policy['cost-attribution'] = {};
    const all = candidates();
    let clean = 0;
    const broken: string[] = [];
    for (const [path, value] of all) {
      if (path.length === 0) continue;
      const data = structuredClone(base);
      setAt(data, path, value);
      // A block only matters for a kind in the chain.
      if (path[0] === 'policy' && typeof path[1] === 'string' && !data.policies.chain.includes(path[1])) data.policies.chain.splice(-1, 0, path[1]);
      const { lintErrors, compiled } = both(stringify(data));
      if (lintErrors.length > 0) continue;
      clean++;
      const problems = compiled.ir ? irProblems(compiled.ir) : compiled.diagnostics.map((d) => `${d.code}: ${d.message}`);
      if (problems.length > 0) broken.push(`${path.join('.')} = ${JSON.stringify(value)}: ${problems.join('; ')}`);
    }
    expect(broken).toEqual([]);
    // The sweep means something: hundreds of variants, many of them clean.
    expect(all.length).toBeGreaterThan(500);
    expect(clean).toBeGreaterThan(200);
  });
});
