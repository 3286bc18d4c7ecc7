// `ktpack init`: every template lints clean, its tests pass with full coverage, it builds; nothing is overwritten unasked.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATES } from '../../src/init/templates.js';
import { runCli } from '../helpers/cli.js';

describe('ktpack init', () => {
  for (const t of TEMPLATES) {
    it(`template ${t.name}: lints clean, its tests pass with 100% policy coverage, and it builds`, async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'ktpack-init-')), 'Claims Bot');
      const r = await runCli(['init', dir, '--template', t.name]);
      expect(r.code, r.stderr).toBe(0);
      // The printed next step works when pasted: the folder name has a space.
      expect(r.stderr).toContain(`next: ktpack lint '${dir}/policy-config.yaml' && ktpack test '${dir}'\n`);
      expect(readFileSync(join(dir, 'policy-config.yaml'), 'utf8')).toContain('name: claims-bot');
      const lint = await runCli(['lint', join(dir, 'policy-config.yaml'), '--fail-level', 'info']);
      expect(lint.code, lint.stdout).toBe(0);
      expect(lint.stdout).toBe('');
      const test = await runCli(['test', dir, '--json', '--threshold', '100']);
      expect(test.code, test.stdout + test.stderr).toBe(0);
      expect(JSON.parse(test.stdout).results.length).toBe(t.tests.length);
      expect((await runCli(['build', join(dir, 'policy-config.yaml'), '-o', join(dir, 'dist')])).code).toBe(0);
    });
  }

  it('refuses to overwrite without --force, and rejects unknown templates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-init-'));
    writeFileSync(join(dir, 'policy-config.yaml'), 'pack: {name: mine}\n');
    const r = await runCli(['init', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/policy-config\.yaml.* already exist.*use --force/);
    expect(readFileSync(join(dir, 'policy-config.yaml'), 'utf8')).toBe('pack: {name: mine}\n');
    expect(existsSync(join(dir, 'tests'))).toBe(false);
    expect((await runCli(['init', dir, '--force', '--name', 'mine'])).code).toBe(0);
    expect(readFileSync(join(dir, 'policy-config.yaml'), 'utf8')).toContain('name: mine');
    const bad = await runCli(['init', dir, '--template', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown template "nope"; available: gateway, minimal, prompt-injection-detection');
    const list = await runCli(['init', '--list']);
    expect(list.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[0])).toEqual(TEMPLATES.map((t) => t.name));
  });
});
