// The bundle: its files, a runtime.mjs free of imports, and serve's refusal of a modified bundle.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, SEED_PACK } from '../helpers/cli.js';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { loadPack } from '../../src/pack.js';

async function buildSeed(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'ktpack-build-')), 'bundle');
  const r = await runCli(['build', SEED_PACK, '-o', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

describe('ktpack build', () => {
  it('the hash of a pack served from YAML is the irHash its bundle would carry', async () => {
    const out = await buildSeed();
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { irHash: string };
    const fromYaml = await loadPack(SEED_PACK);
    const fromBundle = await loadPack(out);
    expect(fromYaml.irHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fromYaml.irHash).toBe(manifest.irHash);
    expect(fromBundle.irHash).toBe(manifest.irHash);
  });

  it('emits manifest, IR, a self-contained runtime.mjs exporting the contract, and types.d.ts', async () => {
    const out = await buildSeed();
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'policy.ir.json', 'runtime.d.mts', 'runtime.mjs', 'types.d.ts']);
    const runtime = readFileSync(join(out, 'runtime.mjs'), 'utf8');
    expect(runtime).not.toMatch(/^\s*import[\s{(*'"]/m);
    expect(runtime).not.toMatch(/\bimport\(|\brequire\(|\beval\(|new Function\(/);
    const isolated = mkdtempSync(join(tmpdir(), 'ktpack-exports-'));
    cpSync(out, isolated, { recursive: true });
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `import * as m from './runtime.mjs'; console.log(Object.keys(m).sort().join(','))`], { cwd: isolated, encoding: 'utf8' });
    expect(child.stdout.trim()).toBe('createStreamScanner,evaluateRequest,evaluateResponse,ir');
  });

  it('types.d.ts types the module for TypeScript consumers (strict, every module resolution), and a misuse is an error', async () => {
    const out = await buildSeed();
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-types-'));
    cpSync(out, dir, { recursive: true });
    writeFileSync(
      join(dir, 'consumer.mts'),
      [
        "import { createStreamScanner, evaluateRequest, evaluateResponse, ir } from './runtime.mjs';",
        "import type { ChatRequest, Decision, Redaction } from './types.js';",
        "const request: ChatRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };",
        'const d: Decision = evaluateRequest(request);',
        "const verdict: 'allow' | 'redact' | 'block' = d.verdict;",
        'const spans: Redaction[] = evaluateResponse({ choices: [] }).redactions;',
        'const scanner = createStreamScanner(undefined, { holdBack: 64 });',
        "const text: string = scanner.push('choices[0].content', 'x').text + scanner.end('choices[0].content').text;",
        'const version: 1 = ir.irVersion;',
        'export { verdict, spans, text, version };',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'misuse.mts'), "import { evaluateRequest } from './runtime.mjs';\nconst n: number = evaluateRequest({ messages: [] });\nexport { n };\n");
    const ts = (await import('typescript')).default;
    const check = (file: string, module: number, resolution: number): string[] => {
      const program = ts.createProgram([join(dir, file)], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module, moduleResolution: resolution, types: [] });
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    };
    for (const [module, resolution] of [
      [ts.ModuleKind.NodeNext, ts.ModuleResolutionKind.NodeNext],
      [ts.ModuleKind.ESNext, ts.ModuleResolutionKind.Bundler],
      [ts.ModuleKind.ESNext, ts.ModuleResolutionKind.Node10],
    ]) {
      expect(check('consumer.mts', module, resolution)).toEqual([]);
      expect(check('misuse.mts', module, resolution).join('\n')).toMatch(/Type 'Decision' is not assignable to type 'number'/);
    }
    // What the declarations promise, the module exports.
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', "import * as m from './runtime.mjs'; console.log(Object.keys(m).sort().join(','))"], { cwd: dir, encoding: 'utf8' });
    const declared = [...readFileSync(join(dir, 'types.d.ts'), 'utf8').matchAll(/^export declare (?:const|function) (\w+)/gm)].map((m) => m[1]).sort();
    expect(declared.join(',')).toBe(child.stdout.trim());
  }, 60_000);

  it('two builds are byte-identical', async () => {
    const [a, b] = [await buildSeed(), await buildSeed()];
    for (const f of ['manifest.json', 'policy.ir.json', 'runtime.d.mts', 'runtime.mjs', 'types.d.ts']) {
      expect(readFileSync(join(a, f), 'utf8')).toBe(readFileSync(join(b, f), 'utf8'));
    }
  });

  it('the bundled CLI entry (bin/ktpack.js build) writes the same bytes as the library', async () => {
    const inProcess = await buildSeed();
    const viaBin = join(mkdtempSync(join(tmpdir(), 'ktpack-bin-')), 'bundle');
    const child = spawnSync(process.execPath, [BIN, 'build', SEED_PACK, '-o', viaBin], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stderr).toMatch(/^built chatgpt-enterprise-gateway@1\.0\.0 -> .* \(sha256:[0-9a-f]{64}\)\n$/);
    for (const f of ['manifest.json', 'policy.ir.json', 'runtime.d.mts', 'runtime.mjs', 'types.d.ts']) {
      expect(readFileSync(join(viaBin, f), 'utf8'), f).toBe(readFileSync(join(inProcess, f), 'utf8'));
    }
  });

  it('takes a pack folder as serve, eval and test do; a folder without a pack, or a bundle, is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-folder-'));
    mkdirSync(join(dir, 'pack'));
    writeFileSync(join(dir, 'pack', 'policy-config.yml'), readFileSync(SEED_PACK, 'utf8'));
    const ok = await runCli(['build', 'pack', '-o', 'out'], {}, dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out', 'policy.ir.json'), 'utf8')).toBe(readFileSync(join(await buildSeed(), 'policy.ir.json'), 'utf8').replaceAll('"policy-config.yaml"', '"policy-config.yml"'));
    mkdirSync(join(dir, 'empty'));
    const empty = await runCli(['build', 'empty', '-o', 'out2'], {}, dir);
    expect([empty.code, empty.stderr]).toEqual([2, 'ktpack: empty: no policy-config.yaml (or .yml) in this folder\n']);
    const bundle = await runCli(['build', 'out', '-o', 'out3'], {}, dir);
    expect([bundle.code, bundle.stderr]).toEqual([2, 'ktpack: out: is a built bundle; build from the pack (policy-config.yaml) instead\n']);
  });

  it('a pack with errors writes no bundle and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-bad-'));
    writeFileSync(join(dir, 'p.yaml'), readFileSync(SEED_PACK, 'utf8').replace('threshold', 'treshold'));
    const r = await runCli(['build', join(dir, 'p.yaml'), '-o', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('unknown key "treshold"');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a pack folder with errors names the pack file in its diagnostics, so editors can jump to the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-badfolder-'));
    mkdirSync(join(dir, 'pack'));
    writeFileSync(join(dir, 'pack', 'policy-config.yaml'), readFileSync(SEED_PACK, 'utf8').replace('threshold', 'treshold'));
    const r = await runCli(['build', 'pack', '-o', 'out'], {}, dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^pack\/policy-config\.yaml:\d+:\d+ error unknown key "treshold"/m);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('ktpack build never deletes what is not a bundle', () => {
  const project = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-out-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'code.ts'), 'export const keep = 1;\n');
    writeFileSync(join(dir, 'README.md'), 'readme\n');
    writeFileSync(join(dir, 'policy-config.yaml'), readFileSync(SEED_PACK, 'utf8'));
    return dir;
  };

  for (const out of ['src', '.', 'README.md']) {
    it(`-o ${out} (a user's folder or file) exits 2 and leaves everything as it was`, async () => {
      const dir = project();
      const before = readdirSync(dir, { recursive: true }).sort();
      const r = await runCli(['build', 'policy-config.yaml', '-o', out], {}, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^ktpack: -o ${out.replace('.', '\\.')}: (is not empty and is not a ktpack bundle|exists and is not a folder)`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before);
      expect(readFileSync(join(dir, 'src', 'code.ts'), 'utf8')).toBe('export const keep = 1;\n');
    });
  }

  it('an empty folder and an earlier bundle are (re)built in place; a failed build leaves the old bundle whole', async () => {
    const dir = project();
    mkdirSync(join(dir, 'empty'));
    expect((await runCli(['build', 'policy-config.yaml', '-o', 'empty'], {}, dir)).code).toBe(0);
    expect(readdirSync(join(dir, 'empty')).sort()).toEqual(['manifest.json', 'policy.ir.json', 'runtime.d.mts', 'runtime.mjs', 'types.d.ts']);
    const oldIr = readFileSync(join(dir, 'empty', 'policy.ir.json'), 'utf8');
    writeFileSync(join(dir, 'policy-config.yaml'), readFileSync(SEED_PACK, 'utf8').replace('threshold: 0.8', 'threshold: 0.7'));
    expect((await runCli(['build', 'policy-config.yaml', '-o', 'empty'], {}, dir)).code).toBe(0);
    const newIr = readFileSync(join(dir, 'empty', 'policy.ir.json'), 'utf8');
    expect(newIr).not.toBe(oldIr);
    expect(newIr).toContain('"threshold": 0.7');
    // A pack with errors: the previous bundle stays exactly as it was, and no temporary folder is left behind.
    writeFileSync(join(dir, 'policy-config.yaml'), readFileSync(SEED_PACK, 'utf8').replace('threshold', 'treshold'));
    expect((await runCli(['build', 'policy-config.yaml', '-o', 'empty'], {}, dir)).code).toBe(1);
    expect(readFileSync(join(dir, 'empty', 'policy.ir.json'), 'utf8')).toBe(newIr);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a bundle folder with a foreign file in it is refused, not emptied', async () => {
    const dir = project();
    expect((await runCli(['build', 'policy-config.yaml', '-o', 'bundle'], {}, dir)).code).toBe(0);
    writeFileSync(join(dir, 'bundle', 'notes.txt'), 'mine\n');
    const r = await runCli(['build', 'policy-config.yaml', '-o', 'bundle'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('it holds notes.txt');
    expect(readFileSync(join(dir, 'bundle', 'notes.txt'), 'utf8')).toBe('mine\n');
  });
});

describe('ktpack serve refuses a modified bundle', () => {
  const TAMPER: Array<{ name: string; edit: (dir: string) => void; message: RegExp }> = [
    {
      name: 'a raised threshold in policy.ir.json',
      edit: (dir) => writeFileSync(join(dir, 'policy.ir.json'), readFileSync(join(dir, 'policy.ir.json'), 'utf8').replace('"threshold": 0.8', '"threshold": 0.99')),
      message: /policy\.ir\.json does not match manifest\.json .*refusing a modified bundle/,
    },
    {
      name: 'an edited runtime.mjs (block turned into allow)',
      edit: (dir) => writeFileSync(join(dir, 'runtime.mjs'), readFileSync(join(dir, 'runtime.mjs'), 'utf8').replace('"action": "block"', '"action": "warn"')),
      message: /runtime\.mjs does not match manifest\.json .*refusing a modified bundle/,
    },
    {
      name: 'a corrupted manifest.json',
      edit: (dir) => writeFileSync(join(dir, 'manifest.json'), '{"irHash": '),
      message: /manifest\.json: not valid JSON/,
    },
  ];
  for (const t of TAMPER) {
    it(`${t.name}: exit 2, a clear message, no stack trace`, async () => {
      const dir = await buildSeed();
      t.edit(dir);
      const child = spawnSync(process.execPath, [BIN, 'serve', dir, '--listen', '127.0.0.1:0', '--mock-upstream'], { encoding: 'utf8', timeout: 15_000 });
      expect(child.status).toBe(2);
      expect(child.stderr).toMatch(t.message);
      expect(child.stderr).not.toMatch(/\n\s+at /);
      expect(child.stderr).not.toContain('listening on');
    });
  }

  /** Rewrites policy.ir.json and re-signs the manifest, as a hand-made or older-version bundle would be. */
  const resign = (dir: string, edit: (ir: Record<string, any>) => void): void => {
    const ir = JSON.parse(readFileSync(join(dir, 'policy.ir.json'), 'utf8'));
    edit(ir);
    const text = `${JSON.stringify(ir, null, 2)}\n`;
    writeFileSync(join(dir, 'policy.ir.json'), text);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.irHash = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    manifest.fileHashes['policy.ir.json'] = manifest.irHash;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  };
  const UNSOUND: Array<{ name: string; edit: (ir: Record<string, any>) => void; message: RegExp }> = [
    {
      name: 'an attack pattern in the old string form',
      edit: (ir) => void (ir.request[0].options.attackPatterns = ['reveal the vault']),
      message: /policy\.ir\.json is not an IR this ktpack can run \(\/request\/0\/options\/attackPatterns\/0 must be object\); rebuild the bundle/,
    },
    {
      name: 'an unknown policy kind',
      edit: (ir) => void (ir.request[1].kind = 'rbac'),
      message: /is not an IR this ktpack can run \(\/request\/1/,
    },
    {
      name: 'a regex that does not compile',
      edit: (ir) => void (ir.request[0].options.attackPatterns = [{ source: '(unclosed', flags: 'iu' }]),
      message: /\/request\/0\/options\/attackPatterns\/0 is not a valid regular expression/,
    },
  ];
  for (const t of UNSOUND) {
    it(`a re-signed bundle with ${t.name} is refused before it serves (exit 2)`, async () => {
      const dir = await buildSeed();
      resign(dir, t.edit);
      const child = spawnSync(process.execPath, [BIN, 'serve', dir, '--listen', '127.0.0.1:0', '--mock-upstream'], { encoding: 'utf8', timeout: 15_000 });
      expect(child.status).toBe(2);
      expect(child.stderr).toMatch(t.message);
      expect(child.stderr).not.toMatch(/\n\s+at /);
      expect(child.stderr).not.toContain('listening on');
    });
  }

  it('an intact bundle serves and exposes its hash', async () => {
    const dir = await buildSeed();
    const { spawnServe } = await import('../helpers/cli.js');
    const gw = await spawnServe([dir, '--listen', '127.0.0.1:0', '--mock-upstream', '--audit-dir', join(dir, '..', 'audit')]);
    try {
      const hash = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).irHash as string;
      expect(gw.stderr()).toContain(hash);
      const health = (await (await fetch(`${gw.url}/health`)).json()) as { pack: { hash?: string } };
      expect(health.pack.hash).toBe(hash);
    } finally {
      await gw.stop();
    }
  });
});
