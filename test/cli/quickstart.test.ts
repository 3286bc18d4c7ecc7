// The README quickstart is a contract: the demo script must lint, build, serve and show allow / redact / block.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('npm run demo (quickstart)', () => {
  it('runs the seed pack end to end through the openai client', () => {
    const r = spawnSync(process.execPath, ['scripts/demo.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('< Hello from the ktpack mock upstream. You said: Summarise our Q3 revenue trends.');
    expect(r.stdout).toContain('Please email the report to [EMAIL_1] today.');
    expect(r.stdout).toMatch(/< HTTP 403 PermissionDeniedError: 403 Request blocked: potential prompt injection/);
    expect(r.stdout).toMatch(/verdict=allow status=200[\s\S]*verdict=redact status=200 redactions=\{"EMAIL":1\}[\s\S]*verdict=block status=403/);
    expect(r.stdout).toMatch(/OK 3 record\(s\)/);
    const answers = r.stdout.split('\n').filter((l) => l.startsWith('< ') || l.startsWith('ktp_'));
    expect(answers.join('\n')).not.toContain('jane.doe@example.com');
  });
});
