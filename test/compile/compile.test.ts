// ktpack build refuses packs the runtime cannot execute (with lint-format diagnostics) and is deterministic.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, SEED_PACK } from '../helpers/cli.js';

const seed = readFileSync(SEED_PACK, 'utf8');

const REFUSED: Array<{ name: string; yaml: string; expect: RegExp }> = [
  {
    name: 'unknown kind in the chain',
    yaml: seed.replace('    - audit-logger\n', '    - audit-logger\n    - toxicity-filter\n'),
    expect: /p\.yaml:\d+:\d+ error .*toxicity-filter/,
  },
  {
    name: 'healthcare_mode, which the runtime cannot honour',
    yaml: seed.replace('    action: redact\n', '    action: redact\n    healthcare_mode: true\n'),
    // Lint's unsupported-option rule reports it before compile, in the compiler's words.
    expect: /p\.yaml:22:22 error pii-detector: healthcare_mode is not supported yet .* unsupported-option/,
  },
  {
    name: 'a secret store, which ktpack serve cannot read',
    yaml: seed.replace('        env: OPENAI_API_KEY\n', '        store: openai-prod\n'),
    expect: /p\.yaml:10:16 error target "chatgpt-enterprise": secret stores are not supported by ktpack serve; use secret_key_ref: \{env: NAME\} +unsupported-option/,
  },
  {
    name: 'an api_key ${VAR} reference, which ktpack does not expand',
    yaml: seed.replace('      secret_key_ref:\n        env: OPENAI_API_KEY\n', '      api_key: ${OPENAI_API_KEY}\n'),
    expect: /p\.yaml:9:16 error target "chatgpt-enterprise": api_key is never compiled into a bundle, and ktpack does not expand \$\{OPENAI_API_KEY\}; use secret_key_ref: \{env: OPENAI_API_KEY\} +literal-secret/,
  },
  {
    name: 'a literal api_key (never copied into a bundle)',
    yaml: seed.replace('      secret_key_ref:\n        env: OPENAI_API_KEY\n', '      api_key: sk-live-abcdefghijklmnop1234\n'),
    // Lint's literal-secret rule stops it before compile; either way no bundle and no key in the output.
    expect: /p\.yaml:9:\d+ error .*literal.*(?:literal-secret|compile\/literal-secret)/,
  },
];

describe('ktpack build refuses what the runtime cannot execute', () => {
  for (const c of REFUSED) {
    it(c.name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ktpack-refuse-'));
      writeFileSync(join(dir, 'p.yaml'), c.yaml);
      const r = await runCli(['build', join(dir, 'p.yaml'), '-o', join(dir, 'out')], {}, dir);
      expect(r.code).toBe(1);
      expect(r.stdout.replaceAll(`${dir}/`, '')).toMatch(c.expect);
      expect(r.stdout).not.toContain('sk-live');
      expect(r.stderr).toContain('no bundle written');
      expect(existsSync(join(dir, 'out'))).toBe(false);
      expect(readdirSync(dir).filter((f) => f.includes('tmp'))).toEqual([]);
    });
  }
});

describe('ktpack build is deterministic', () => {
  it('the same pack in two different folders gives byte-identical bundles with no absolute paths', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ktpack-det2-'));
    for (const sub of ['one/deep', 'two']) {
      mkdirSync(join(base, sub), { recursive: true });
      writeFileSync(join(base, sub, 'policy-config.yaml'), seed);
      const r = await runCli(['build', join(base, sub, 'policy-config.yaml'), '-o', join(base, sub, 'bundle')]);
      expect(r.code).toBe(0);
    }
    // Relative paths, typed from another working directory, give the same bytes as absolute ones.
    const rel = await runCli(['build', '../two/policy-config.yaml', '-o', 'rel-bundle'], {}, join(base, 'one'));
    expect(rel.code, rel.stderr).toBe(0);
    for (const f of ['manifest.json', 'policy.ir.json', 'runtime.d.mts', 'runtime.mjs', 'types.d.ts']) {
      expect(readFileSync(join(base, 'one/rel-bundle', f), 'utf8'), f).toBe(readFileSync(join(base, 'two/bundle', f), 'utf8'));
    }
    for (const f of ['manifest.json', 'policy.ir.json', 'runtime.d.mts', 'runtime.mjs', 'types.d.ts']) {
      const a = readFileSync(join(base, 'one/deep/bundle', f), 'utf8');
      expect(a, f).toBe(readFileSync(join(base, 'two/bundle', f), 'utf8'));
      expect(a, f).not.toContain(base);
    }
    const manifest = JSON.parse(readFileSync(join(base, 'two/bundle/manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ pack: { name: 'chatgpt-enterprise-gateway', version: '1.0.0' }, irVersion: 1 });
    expect(manifest.irHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('prices are resolved into the IR', () => {
  it("a target's own price wins, then cost-attribution's price for its model, then the built-in table; a pass-through model stays unknown", async () => {
    const { compile } = await import('../../src/compile/compile.js');
    const { loadDocument } = await import('../../src/load/document.js');
    const { priceOf } = await import('../../src/pricing/prices.js');
    const yaml = seed
      .replace(
        /providers:\n {2}targets:\n[\s\S]*?policies:/,
        `providers:
  targets:
    - id: own
      provider: openai:chat:gpt-4o
      pricing: {input_per_1m: 3}
      secret_key_ref: {env: A_KEY}
    - id: pack
      provider: openai:chat:gpt-4.1
      secret_key_ref: {env: A_KEY}
    - id: table
      provider: openai:chat:gpt-4o-mini
      secret_key_ref: {env: A_KEY}
    - id: passthrough
      provider: openai
      secret_key_ref: {env: A_KEY}
policies:`,
      )
      .replace('    - audit-logger\n', '    - cost-attribution\n    - audit-logger\n')
      .replace('policy:\n', 'policy:\n  cost-attribution:\n    pricing:\n      gpt-4.1: {output_per_1m: 7}\n');
    const r = compile(loadDocument('policy-config.yaml', yaml));
    expect(r.diagnostics).toEqual([]);
    const by = Object.fromEntries(r.ir!.targets.map((t) => [t.id, t.pricing]));
    const [gpt4o, gpt41, mini] = [priceOf('gpt-4o')!, priceOf('gpt-4.1')!, priceOf('gpt-4o-mini')!];
    expect(by.own).toEqual({ inputPer1m: 3, outputPer1m: gpt4o.output, cachedInputPer1m: gpt4o.cachedInput });
    expect(by.pack).toEqual({ inputPer1m: gpt41.input, outputPer1m: 7, cachedInputPer1m: gpt41.cachedInput });
    expect(by.table).toEqual({ inputPer1m: mini.input, outputPer1m: mini.output, cachedInputPer1m: mini.cachedInput });
    expect(by.passthrough).toBeNull();
    // cost-attribution's own table is completed from the built-in one too.
    expect(r.ir!.cost!.pricing['gpt-4.1']).toEqual({ inputPer1m: gpt41.input, outputPer1m: 7, cachedInputPer1m: gpt41.cachedInput });
  });
});

describe('compile diagnostics are documented', () => {
  it('every compile/<code> the compiler can emit has an anchor in docs/compiler.md (its docsUrl)', () => {
    // compile.ts's own fail() calls, and the refusals it shares with the linter (src/compile/build-refusals.ts).
    const source = ['src/compile/compile.ts', 'src/compile/build-refusals.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const codes = [...new Set([...source.matchAll(/fail\(\[[^\]]*\],\s*'([a-z-]+)'/g), ...source.matchAll(/code: '([a-z-]+)'/g)].map((m) => m[1]))].sort();
    expect(codes).toEqual(['literal-secret', 'no-runtime', 'single-policy-document', 'unknown-kind', 'unknown-target', 'unsupported-option']);
    const docs = readFileSync(join(ROOT, 'docs/compiler.md'), 'utf8');
    for (const code of codes) expect(docs, code).toContain(`<a id="compile-${code}"></a>**compile/${code}**`);
  });
});
