// A gateway that cannot start exits with code 2 and a clear message instead of hanging; an empty audit folder does not verify.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, SEED_PACK } from '../helpers/cli.js';

// Run from an empty folder: a start-up that fails after opening the default audit dir (.ktpack/audit)
// must not leave segment files in the checkout.
const serve = (args: string[]) =>
  spawnSync(process.execPath, [BIN, 'serve', SEED_PACK, '--mock-upstream', ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    cwd: mkdtempSync(join(tmpdir(), 'ktpack-startup-')),
  });

describe('serve start-up failures', () => {
  it('an address that cannot be bound exits 2 (the built-in upstream does not keep it alive)', () => {
    const r = serve(['--listen', '999.1.1.1:5']);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--listen 999.1.1.1:5: cannot bind that address');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--upstream together with --mock-upstream is a usage error, not a silent choice', () => {
    const r = serve(['--listen', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:9/v1']);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--upstream and --mock-upstream');
  });

  it('a gateway or admin key file with no hashes exits 2 instead of locking every caller out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-keys-'));
    writeFileSync(join(dir, 'keys.txt'), '# keys for the payments team\n\n');
    for (const flag of ['--gateway-keys', '--admin-keys']) {
      const r = serve(['--listen', '127.0.0.1:0', flag, join(dir, 'keys.txt')]);
      expect(r.error).toBeUndefined();
      expect(r.status, flag).toBe(2);
      expect(r.stderr).toContain(`${flag}: ${join(dir, 'keys.txt')} holds no key hashes`);
    }
  });

  it('a pack argument and a different --policy-config is a usage error, not a silent choice', () => {
    const r = serve(['--listen', '127.0.0.1:0', '--policy-config', 'packs/chatgpt-enterprise-mini/policy-config.yaml']);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--policy-config packs/chatgpt-enterprise-mini/policy-config.yaml name the pack; pass one of them');
  });

  it('an audit directory under a file exits 2 naming the flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-auditdir-'));
    writeFileSync(join(dir, 'file'), 'x');
    const r = serve(['--listen', '127.0.0.1:0', '--audit-dir', join(dir, 'file', 'sub')]);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--audit-dir .*cannot open the audit log \(ENOTDIR\)/);
  });
});

describe('ktpack audit verify', () => {
  it('fails on a folder with no audit log at all', async () => {
    const r = await runCli(['audit', 'verify', mkdtempSync(join(tmpdir(), 'ktpack-noaudit-'))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no audit log here');
  });
});
