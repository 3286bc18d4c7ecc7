// What each command loads: help and version load no command's implementation; serving a built bundle loads no linter, compiler, YAML parser or ajv.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli, SEED_PACK } from '../helpers/cli.js';

const TRACE = fileURLToPath(new URL('../helpers/module-trace.mjs', import.meta.url));

/** Modules below ROOT that a traced process loaded, as paths relative to ROOT. */
function loaded(traceFile: string): string[] {
  const lines = readFileSync(traceFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('node:'));
  const paths = lines.map((l) => (l.startsWith('file:') ? fileURLToPath(l) : l)).filter((p) => p.startsWith(ROOT));
  return [...new Set(paths.map((p) => p.slice(ROOT.length)))].sort();
}

/** Runs `ktpack ...args` to completion with the module trace; returns its result and what it loaded. */
function traced(args: string[]) {
  const traceFile = join(mkdtempSync(join(tmpdir(), 'ktpack-trace-')), 'modules.txt');
  const r = spawnSync(process.execPath, ['--import', TRACE, BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, KTPACK_MODULE_TRACE: traceFile } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules: loaded(traceFile) };
}

/** The pack tool chain: none of it is needed to print help or to serve a built bundle. */
const TOOLCHAIN = [
  /^node_modules\/ajv\//,
  /^node_modules\/yaml\//,
  /^dist\/lint\/lint\.js$/,
  /^dist\/lint\/rules\//,
  /^dist\/compile\//,
  /^dist\/load\/document\.js$/,
  /^dist\/validate\/validate-schema\.js$/,
  /^dist\/generated\/pack-validators\.cjs$/,
];
/** What only running a command needs: the gateway, the runtime, the test runner, the kind registry. */
const IMPLEMENTATIONS = [
  /^node_modules\/undici\//,
  /^dist\/serve\/gateway\.js$/,
  /^dist\/runtime\/(evaluate|step|stream-scanner)\.js$/,
  /^dist\/runtime\/(detectors|kinds)\//,
  /^dist\/test-runner\/run-tests\.js$/,
  /^dist\/kinds\//,
];

const matching = (modules: string[], patterns: RegExp[]): string[] => modules.filter((m) => patterns.some((p) => p.test(m)));

describe('start-up: each command loads its implementation only when it runs', () => {
  // (`ktpack lint` and `ktpack build` have their own bundled entries, dist/lint-cli.cjs and dist/build-cli.mjs.)
  for (const args of [['--version'], ['--help'], ['serve', '--help'], ['eval', '--help'], ['test', '--help']]) {
    it(`ktpack ${args.join(' ')} loads the command registry and nothing of the implementations`, () => {
      const r = traced(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.modules).toContain('dist/cli/main.js');
      expect(r.modules).toContain('dist/cli/commands/serve.js');
      expect(matching(r.modules, [...TOOLCHAIN, ...IMPLEMENTATIONS])).toEqual([]);
    });
  }

  it('eval of a YAML pack loads the linter, the compiler and the runtime (the trace sees them), but not ajv or the gateway', () => {
    const r = traced(['eval', SEED_PACK, '-i', join(ROOT, 'packs/chatgpt-enterprise-gateway/tests/block-instruction-override.json'), '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe('block');
    for (const m of ['node_modules/yaml/dist/index.js', 'dist/lint/lint.js', 'dist/compile/compile.js', 'dist/runtime/evaluate.js']) expect(r.modules).toContain(m);
    expect(matching(r.modules, [/^node_modules\/ajv\//, /^node_modules\/undici\//, /^dist\/serve\/gateway\.js$/])).toEqual([]);
  });

  it('serve of a built bundle answers requests without ever loading the linter, the compiler, the YAML parser or ajv', async () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'ktpack-startup-')), 'bundle');
    const built = await runCli(['build', SEED_PACK, '-o', bundle]);
    expect(built.code, built.stderr).toBe(0);
    const traceFile = join(mkdtempSync(join(tmpdir(), 'ktpack-trace-')), 'modules.txt');
    const audit = mkdtempSync(join(tmpdir(), 'ktpack-startup-audit-'));
    const proc = spawn(process.execPath, ['--import', TRACE, BIN, 'serve', bundle, '--mock-upstream', '--listen', '127.0.0.1:0', '--audit-dir', audit], {
      env: { PATH: process.env.PATH, KTPACK_MODULE_TRACE: traceFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
    const url = await new Promise<string>((resolve, reject) => {
      proc.stderr!.on('data', (c) => {
        stderr += c;
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`serve exited early with ${code}: ${stderr}`)));
    });
    try {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const answer = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Send it to jane.doe@example.com please.' }] });
      expect(answer.choices[0].message.content).toContain('[EMAIL_1]');
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    const modules = loaded(traceFile);
    // The trace saw the gateway and the bundle's IR validator, so an absence below means something.
    for (const m of ['dist/serve/gateway.js', 'dist/runtime/evaluate.js', 'dist/generated/ir-validator.cjs', 'node_modules/undici/index.js']) expect(modules).toContain(m);
    expect(matching(modules, TOOLCHAIN)).toEqual([]);
  });
});
