import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/runtime/evaluate.js';
import type { PolicyIr } from '../../src/runtime/types.js';
import { runCli, SEED_PACK } from '../helpers/cli.js';
import { loadCases } from '../helpers/conformance.js';

describe('ktpack build', () => {
  it('emits a bundle whose runtime.mjs runs standalone with the same decisions', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ktpack-build-')), 'bundle');
    const r = await runCli(['build', SEED_PACK, '-o', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'policy.ir.json', 'runtime.mjs', 'types.d.ts']);

    // Copy to an empty folder with no node_modules anywhere above it.
    const isolated = mkdtempSync(join(tmpdir(), 'ktpack-isolated-'));
    cpSync(out, isolated, { recursive: true });
    const runtime = readFileSync(join(isolated, 'runtime.mjs'), 'utf8');
    expect(runtime).not.toMatch(/^\s*import\s/m);
    expect(runtime).not.toMatch(/\brequire\(|\beval\(|new Function\(/);

    const cases = loadCases('seed-gateway');
    const script = `
      import { evaluateRequest } from ${JSON.stringify(join(isolated, 'runtime.mjs'))};
      const cases = JSON.parse(process.argv[1]);
      process.stdout.write(JSON.stringify(cases.map((c) => evaluateRequest(c.request))));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(cases)], { cwd: isolated, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const standalone = JSON.parse(child.stdout);
    const ir = JSON.parse(readFileSync(join(isolated, 'policy.ir.json'), 'utf8')) as PolicyIr;
    const inProcess = cases.map((c) => evaluate(ir, { phase: 'request', request: c.request }));
    expect(standalone).toEqual(JSON.parse(JSON.stringify(inProcess)));
    expect(standalone.map((d: { verdict: string }) => d.verdict)).toEqual(cases.map((c) => c.expected.verdict));
  });

  it('two builds are byte-identical', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ktpack-det-'));
    await runCli(['build', SEED_PACK, '-o', join(base, 'a')]);
    await runCli(['build', SEED_PACK, '-o', join(base, 'b')]);
    for (const f of ['manifest.json', 'policy.ir.json', 'runtime.mjs']) {
      expect(readFileSync(join(base, 'a', f), 'utf8')).toBe(readFileSync(join(base, 'b', f), 'utf8'));
    }
  });

  it('a pack with errors writes no bundle and exits 1', async () => {
    const { writeFileSync, existsSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-bad-'));
    writeFileSync(join(dir, 'p.yaml'), readFileSync(SEED_PACK, 'utf8').replace('threshold', 'treshold'));
    const r = await runCli(['build', join(dir, 'p.yaml'), '-o', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('unknown key "treshold"');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
