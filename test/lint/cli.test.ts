// `ktpack lint` as CI uses it: formats, files, exit codes, settings, directives, stdin, and secret masking.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli, SEED_PACK } from '../helpers/cli.js';

const seed = readFileSync(SEED_PACK, 'utf8');
const SECRET = `sk-proj-${'S3cr3t'.repeat(8)}`;

/** A temp dir with the given files; returns its path. */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ktpack-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function runWithStdin(args: string[], input: string, cwd: string) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  stdin.end(input);
  const code = await main(args, { stdin, stdout, stderr, env: {}, cwd });
  return { code, stdout: out, stderr: err };
}

const warningOnly = seed.replace('  enabled: true', '  enabled: false');
const withError = seed.replace('    - pii-detector\n', '    - pii-detecter\n    - pii-detector\n');
const withSecret = seed.replace('      secret_key_ref:\n        env: OPENAI_API_KEY', `      api_key: ${SECRET}`);

describe('ktpack lint exit codes', () => {
  const dir = workspace({ 'clean.yaml': seed, 'warn.yaml': warningOnly, 'err.yaml': withError });
  const cases: Array<[string[], number]> = [
    [['lint', 'clean.yaml'], 0],
    [['lint', 'warn.yaml'], 0],
    [['lint', 'warn.yaml', '--fail-level', 'warning'], 1],
    [['lint', 'warn.yaml', '--max-warnings', '0'], 1],
    [['lint', 'warn.yaml', '--max-warnings', '1'], 0],
    [['lint', 'err.yaml'], 1],
    [['lint', 'clean.yaml', 'missing.yaml'], 2],
    [['lint', 'clean.yaml', '--format', 'xml'], 2],
    [['lint', 'warn.yaml', '--max-warnings', 'many'], 2],
    [['lint', 'warn.yaml', '--rule', 'pack-disabled=error'], 1],
    [['lint', 'err.yaml', '--rule', 'chain-unknown-kind=off'], 0],
    [['lint', 'err.yaml', '--rule', 'chain-unknwn-kind=off'], 2],
    [['lint', 'nothing-*.yaml'], 2],
  ];
  for (const [args, code] of cases) {
    it(`${args.slice(1).join(' ')} -> ${code}`, async () => {
      const r = await runCli(args, {}, dir);
      expect(r.code, r.stderr + r.stdout).toBe(code);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      if (args.includes('--max-warnings') && code === 1) expect(r.stderr).toBe('ktpack: 1 warning exceeds --max-warnings 0\n');
    });
  }
});

describe('ktpack lint inputs', () => {
  it('lints directories (finding policy-config.yaml), globs and stdin in one run', async () => {
    const dir = workspace({ 'packs/a/policy-config.yaml': seed, 'packs/b/policy-config.yaml': withError, 'other/x.yaml': withError });
    const r = await runWithStdin(['lint', 'packs', 'other/*.yaml', '-', '--stdin-filename', 'piped.yaml', '-f', 'json'], warningOnly, dir);
    expect(r.code).toBe(1);
    const sources = JSON.parse(r.stdout).files.map((f: { source: string }) => f.source);
    expect(sources).toEqual(['packs/a/policy-config.yaml', 'packs/b/policy-config.yaml', 'other/x.yaml', 'piped.yaml']);
  });

  it('a huge file or endless stdin is refused as yaml/too-large without being read whole', async () => {
    const { openSync, ftruncateSync, closeSync } = await import('node:fs');
    const dir = workspace({});
    // A sparse 3 GiB file: more than Node can read into one string, no disk space used.
    const fd = openSync(join(dir, 'huge.yaml'), 'w');
    ftruncateSync(fd, 3 * 1024 ** 3);
    closeSync(fd);
    const huge = await runCli(['lint', 'huge.yaml', '-f', 'json'], {}, dir);
    expect(huge.code, huge.stderr).toBe(1);
    expect(JSON.parse(huge.stdout).files[0].diagnostics.map((d: { code: string }) => d.code)).toEqual(['yaml/too-large']);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    const chunk = Buffer.alloc(1 << 20, 'a');
    let sent = 0;
    const feed = () => {
      // An endless producer: it only stops when the reader stops reading.
      while (sent < 64 && stdin.write(chunk)) sent++;
      if (sent < 64) stdin.once('drain', feed);
      else stdin.end();
    };
    feed();
    const code = await main(['lint', '-', '-f', 'json'], { stdin, stdout, stderr: new PassThrough(), env: {}, cwd: dir });
    expect(code).toBe(1);
    expect(JSON.parse(out).files[0].diagnostics[0].code).toBe('yaml/too-large');
    expect(sent).toBeLessThan(64);
  });

  it('a device is not a pack file', async () => {
    const r = await runCli(['lint', '/dev/null'], {}, workspace({}));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ktpack: /dev/null: not a regular file\n');
  });

  it('a pack reached twice (named twice, through a symlinked directory loop) is linted once', async () => {
    const { symlinkSync } = await import('node:fs');
    const dir = workspace({ 'packs/a/policy-config.yaml': withError });
    symlinkSync('..', join(dir, 'packs/a/up'));
    const r = await runCli(['lint', 'packs', 'packs/a/policy-config.yaml', '-f', 'json'], {}, dir);
    expect(JSON.parse(r.stdout).files.map((f: { source: string }) => f.source)).toEqual(['packs/a/policy-config.yaml']);
  });

  it('a directory without packs is a usage error that names it', async () => {
    const dir = workspace({ 'empty/readme.txt': 'hi' });
    const r = await runCli(['lint', 'empty'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('empty: no policy-config.yaml found');
  });
});

describe('ktpack lint outputs', () => {
  it('writes several formats at once: -f NAME=FILE and -f/-o pairs, stylish to stdout', async () => {
    const dir = workspace({ 'err.yaml': withError });
    const r = await runCli(['lint', 'err.yaml', '-f', 'sarif=out.sarif', '-f', 'junit', '-o', 'out.xml', '-f', 'stylish'], {}, dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^err\.yaml:14:7 error unknown policy kind "pii-detecter"; did you mean "pii-detector"\? chain-unknown-kind$/m);
    const sarif = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8'));
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('err.yaml');
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.region.startLine).toBe(14);
    expect(readFileSync(join(dir, 'out.xml'), 'utf8')).toContain('<failure type="error"');
  });

  it('-o creates the report directory; an output under a file is a usage error', async () => {
    const dir = workspace({ 'err.yaml': withError, 'blocker': 'a file' });
    const r = await runCli(['lint', 'err.yaml', '-f', 'sarif', '-o', 'reports/ci/ktpack.sarif', '-f', 'junit=reports/ktpack.xml'], {}, dir);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'reports/ci/ktpack.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(readFileSync(join(dir, 'reports/ktpack.xml'), 'utf8')).toContain('<testsuites');
    const bad = await runCli(['lint', 'err.yaml', '-f', 'json', '-o', 'blocker/out.json'], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ktpack: --output blocker\/out\.json: cannot write \(E\w+\)\n$/);
  });

  it('rejects two formats for stdout', async () => {
    const r = await runCli(['lint', SEED_PACK, '-f', 'json', '-f', 'sarif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--output');
  });

  it('clean SARIF run has results: []', async () => {
    const r = await runCli(['lint', SEED_PACK, '-f', 'sarif']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).runs[0].results).toEqual([]);
  });

  it('colour only when asked for, never with NO_COLOR', async () => {
    const dir = workspace({ 'err.yaml': withError });
    expect((await runCli(['lint', 'err.yaml'], {}, dir)).stdout).not.toMatch(/\u001b\[/);
    expect((await runCli(['lint', 'err.yaml'], { FORCE_COLOR: '1' }, dir)).stdout).toMatch(/\u001b\[/);
    expect((await runCli(['lint', 'err.yaml'], { FORCE_COLOR: '1', NO_COLOR: '1' }, dir)).stdout).not.toMatch(/\u001b\[/);
    expect((await runCli(['lint', 'err.yaml', '--no-color'], { FORCE_COLOR: '1' }, dir)).stdout).not.toMatch(/\u001b\[/);
    expect((await runCli(['lint', 'err.yaml'], { FORCE_COLOR: '0' }, dir)).stdout).not.toMatch(/\u001b\[/);
  });

  for (const format of ['stylish', 'json', 'sarif', 'github', 'junit']) {
    it(`${format} never prints a literal secret whole`, async () => {
      const dir = workspace({ 'leak.yaml': `${withSecret}# old: ${SECRET}\n`, 'broken.yaml': `pack: [\n  api_key: ${SECRET}\n` });
      const r = await runCli(['lint', 'leak.yaml', 'broken.yaml', '-f', format], {}, dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('literal-secret');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      expect(r.stdout + r.stderr).not.toContain(SECRET.slice(8, 24));
    });

    it(`${format} masks secrets no credential shape gives away: numbers, broken quotes, URL passwords, key bodies`, async () => {
      const target = (extra: string) => seed.replace('      secret_key_ref:\n        env: OPENAI_API_KEY\n', `      secret_key_ref:\n        env: OPENAI_API_KEY\n${extra}`);
      const dir = workspace({
        // A numeric token under api_key: a schema error whose message and code frame must not echo it.
        'number.yaml': target('      api_key: 918273645546372819\n'),
        // An unclosed quote: the file does not parse, the frame shows the line.
        'quote.yaml': target('      api_key: "correct-horse-battery\n'),
        // A password in base_url; the next line's finding shows it as context too.
        'url.yaml': target('      base_url: https://svc:Tr0ub4dor-3@llm.example.com/v1\n      bogus: 1\n'),
        // A private key's body, with a finding on a body line.
        'pem.yaml': `${seed}# -----BEGIN RSA PRIVATE KEY-----\n# MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n# ktpack-disable-next-line no-such-rule\n# -----END RSA PRIVATE KEY-----\n`,
        'flow.yaml': seed.replace('    - id: chatgpt-enterprise\n', '    - {id: x, provider: openai, password: "letmein-please", bogus: 1}\n    - id: chatgpt-enterprise\n'),
      });
      const r = await runCli(['lint', 'number.yaml', 'quote.yaml', 'url.yaml', 'pem.yaml', 'flow.yaml', '-f', format], {}, dir);
      expect(r.code).toBe(1);
      const out = r.stdout + r.stderr;
      for (const secret of ['918273645546372819', '9182736', 'correct-horse', 'orrect', 'Tr0ub4dor', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun'.slice(10, 30), 'letmein', 'tmein-pl']) {
        expect(out, secret).not.toContain(secret);
      }
      expect(r.stdout).toContain(format === 'json' || format === 'github' || format === 'junit' ? 'number.yaml' : 'url.yaml');
    });
  }
});

describe('rule settings and directives', () => {
  it('.ktpackrc.yaml turns rules off or changes severity; a bad file is a usage error', async () => {
    const dir = workspace({ 'warn.yaml': warningOnly, '.ktpackrc.yaml': 'rules:\n  pack-disabled: error\n' });
    expect((await runCli(['lint', 'warn.yaml'], {}, dir)).code).toBe(1);
    writeFileSync(join(dir, '.ktpackrc.yaml'), 'rules:\n  pack-disabled: off\n');
    const off = await runCli(['lint', 'warn.yaml', '--fail-level', 'warning'], {}, dir);
    expect(off.code).toBe(0);
    writeFileSync(join(dir, '.ktpackrc.yaml'), 'rules:\n  pack-disabld: off\n');
    const bad = await runCli(['lint', 'warn.yaml'], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean "pack-disabled"');
    writeFileSync(join(dir, 'custom.json'), '{"rules": {"pack-disabled": "loud"}}');
    const level = await runCli(['lint', 'warn.yaml', '--config', 'custom.json'], {}, dir);
    expect(level.code).toBe(2);
    expect(level.stderr).toContain('level "loud"');
  });

  it('settings that turn an error rule down keep the exit code but say which files ktpack build would still refuse', async () => {
    const dir = workspace({ 'err.yaml': withError, 'clean.yaml': seed, '.ktpackrc.yaml': 'rules:\n  chain-unknown-kind: warning\n' });
    const r = await runCli(['lint', 'err.yaml', 'clean.yaml'], {}, dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('these would not build: err.yaml (chain-unknown-kind)');
    expect(r.stderr).not.toContain('clean.yaml');
    expect((await runCli(['build', 'err.yaml', '-o', join(dir, 'out')], {}, dir)).code).toBe(1);
    // Without weakened settings there is no note.
    writeFileSync(join(dir, '.ktpackrc.yaml'), 'rules:\n  pack-disabled: error\n');
    expect((await runCli(['lint', 'clean.yaml'], {}, dir)).stderr).not.toContain('would not build');
  });

  it('a run from a subdirectory uses the nearest .ktpackrc.yaml above it', async () => {
    const dir = workspace({ '.ktpackrc.yaml': 'rules:\n  pack-disabled: error\n', 'packs/a/policy-config.yaml': warningOnly });
    expect((await runCli(['lint', 'policy-config.yaml'], {}, join(dir, 'packs/a'))).code).toBe(1);
    writeFileSync(join(dir, 'packs/.ktpackrc.yaml'), 'rules:\n  pack-disabled: off\n');
    const nearer = await runCli(['lint', 'policy-config.yaml', '--fail-level', 'warning'], {}, join(dir, 'packs/a'));
    expect(nearer.code, nearer.stdout).toBe(0);
  });

  it('# ktpack-disable-next-line silences the named rule on the next line only', async () => {
    const text = seed.replace('    - pii-detector\n', '    # ktpack-disable-next-line chain-unknown-kind -- vendor kind\n    - pii-detecter\n    - pii-detectr\n    - pii-detector\n');
    const dir = workspace({ 'p.yaml': text });
    const r = await runCli(['lint', 'p.yaml', '-f', 'json'], {}, dir);
    const diags = JSON.parse(r.stdout).files[0].diagnostics;
    expect(diags.map((d: { code: string; range: { start: { line: number } } }) => `${d.code}:${d.range.start.line}`)).toEqual(['chain-unknown-kind:16']);
  });

  it('# ktpack-disable silences a rule for the file; schema errors cannot be silenced', async () => {
    const text = `# ktpack-disable pack-disabled, schema/unknown-key\n${warningOnly.replace('  name:', '  nmae: x\n  name:')}`;
    const { lintText } = await import('../../src/lint/lint.js');
    const codes = lintText('p.yaml', text).diagnostics.map((d) => d.code);
    expect(codes).toContain('schema/unknown-key');
    expect(codes).toContain('lint/unknown-rule');
    expect(codes).not.toContain('pack-disabled');
  });
});

describe('built CLI (bin/ktpack.js -> bundled dist/lint-cli.cjs through the code cache, precompiled validators)', () => {
  it('reports exactly what the source does on the corpus', async () => {
    const { execFileSync } = await import('node:child_process');
    const { BIN, ROOT } = await import('../helpers/cli.js');
    const corpus = `${ROOT}test/lint/corpus`;
    const files = (await import('node:fs')).readdirSync(corpus).filter((f) => f.endsWith('.yaml'));
    let stdout = '';
    try {
      execFileSync(process.execPath, [BIN, 'lint', ...files, '-f', 'json'], { cwd: corpus, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      const err = e as { status: number; stdout: string };
      expect(err.status).toBe(1);
      stdout = err.stdout;
    }
    const built = JSON.parse(stdout).files as Array<{ source: string; diagnostics: unknown[] }>;
    expect(built.map((f) => f.source)).toEqual(files);
    const { formatJson } = await import('../../src/formatters/json.js');
    const { lintText } = await import('../../src/lint/lint.js');
    const fromSource = JSON.parse(formatJson(files.map((f) => ({ source: f, diagnostics: lintText(f, readFileSync(join(corpus, f), 'utf8')).diagnostics })))).files;
    expect(built).toEqual(fromSource);
    // From the second run on, both bundled files compile through a code cache.
    execFileSync(process.execPath, [BIN, 'lint', '--version'], { cwd: corpus });
    execFileSync(process.execPath, [BIN, 'lint', '--version'], { cwd: corpus });
    const cached = (await import('node:fs')).readdirSync(`${ROOT}node_modules/.cache/ktpack`);
    expect(cached).toEqual(expect.arrayContaining([expect.stringMatching(/^lint-cli\.cjs\.\w+\.v8$/), expect.stringMatching(/^pack-validators\.cjs\.\w+\.v8$/)]));
  }, 60_000);
});

describe('no Node warnings from the YAML parser', () => {
  it('a list used as a key is a clean yaml/complex-key diagnostic, with nothing else on stderr', async () => {
    const { spawnSync } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    const dir = workspace({ 'k.yaml': seed.replace('  enabled: true\n', '  enabled: true\n  ? [name, id]\n  : t\n'), 'rc.yaml': '? [a]\n: b\nrules: {}\n' });
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'lint', ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
    const pack = run('k.yaml', '-f', 'json');
    expect(pack.stderr).toBe('');
    expect(pack.status).toBe(1);
    const [d] = JSON.parse(pack.stdout).files[0].diagnostics;
    expect([d.code, d.range.start.line, d.range.start.column]).toEqual(['yaml/complex-key', 5, 5]);
    // The same key shape in a settings file is a usage error, and still no Node warning.
    const rc = run(SEED_PACK, '-c', 'rc.yaml');
    expect(rc.status).toBe(2);
    expect(rc.stderr).toMatch(/^ktpack: rc\.yaml: unknown key/);
    expect(rc.stderr).not.toMatch(/Warning|stringified/);
  });
});

describe('a reader that stops early', () => {
  it('closing stdout (ktpack lint | head) ends quietly with the real exit code', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    const files: Record<string, string> = {};
    // Several findings per file and many files: far more output than a pipe buffer holds.
    const noisy = withError.replace('    - audit-logger\n', '    - audit-loger\n    - pii-detectr\n    - prompt-injecton\n    - audit-logger\n');
    for (let i = 0; i < 300; i++) files[`p${i}/policy-config.yaml`] = noisy;
    const dir = workspace(files);
    const child = spawn(process.execPath, [BIN, 'lint', '.', '-f', 'json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    // Read one chunk, then close our end of the pipe as `head -c` would.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(1);
  });
});

describe('secrets in other findings', () => {
  it('a key pasted into secret_key_ref.env is flagged and never echoed by any rule', async () => {
    const { lintText } = await import('../../src/lint/lint.js');
    const text = seed.replace('env: OPENAI_API_KEY', `env: ${SECRET}`).replace('    - pii-detector\n', `    - ${SECRET}\n    - pii-detector\n`);
    const { diagnostics } = lintText('p.yaml', text);
    expect(diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['literal-secret', 'secret-ref-name', 'chain-unknown-kind']));
    expect(JSON.stringify(diagnostics)).not.toContain(SECRET.slice(8, 24));
  });
});

describe('stand-alone policy documents', () => {
  it('lint clean, but ktpack build refuses them instead of emitting an empty gateway', async () => {
    const dir = workspace({ 'single.yaml': 'policy:\n  name: prompt-injection\n  version: 1.0.0\n  enabled: true\ndetection:\n  attack_patterns: [jailbreak]\n' });
    expect((await runCli(['lint', 'single.yaml'], {}, dir)).code).toBe(0);
    const built = await runCli(['build', join(dir, 'single.yaml'), '-o', join(dir, 'out')], {}, dir);
    expect(built.code).toBe(1);
    expect(built.stdout).toContain('compile/single-policy-document');
  });
});
