// Scenarios of `ktpack eval`: JSON and human output, packs and bundles, both phases, and bad inputs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SEED_PACK } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ktpack-eval-'));
const file = (name: string, body: unknown): string => {
  writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  return join(dir, name);
};
const pii = file('pii.json', { model: 'gpt-4o', messages: [{ role: 'user', content: 'Mail jane@example.com or call 555-867-5309' }] });

describe('ktpack eval', () => {
  it('prints the decision as JSON with redaction positions and never the values', async () => {
    const r = await runCli(['eval', SEED_PACK, '--input', pii]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.verdict).toBe('redact');
    expect(d.policies.map((p: { policy: string; outcome: string }) => `${p.policy}:${p.outcome}`)).toEqual(['prompt-injection:allow', 'pii-detector:redact']);
    expect(d.redactions.map((x: { entity: string; start: number; end: number }) => [x.entity, x.start, x.end])).toEqual([['EMAIL', 5, 21], ['PHONE', 30, 42]]);
    expect(JSON.stringify(d.redactions)).not.toMatch(/jane@example\.com|867-5309/);
    expect(d.request.messages[0].content).toBe('Mail [EMAIL_1] or call [PHONE_1]');
  });

  it('prints readably with the pack line of each policy', async () => {
    const r = await runCli(['eval', SEED_PACK, '--input', pii, '--format', 'human']);
    expect(r.stdout).toMatch(/^verdict: REDACT {2}\(chatgpt-enterprise-gateway@1\.0\.0, request phase\)/);
    expect(r.stdout).toMatch(/pii-detector +redact +pii\.redacted +policy-config\.yaml:20/);
    expect(r.stdout).toMatch(/EMAIL +messages\[0\]\.content \[5, 21\) -> \[EMAIL_1\] {2}pii-detector \(policy-config\.yaml:20\)/);
    expect(r.stdout).not.toContain('jane@example.com');
  });

  it('decides the same on the built bundle, and runs the response phase from a test case', async () => {
    const bundle = join(dir, 'bundle');
    expect((await runCli(['build', SEED_PACK, '-o', bundle])).code).toBe(0);
    const fromPack = JSON.parse((await runCli(['eval', SEED_PACK, '-i', pii])).stdout);
    const fromBundle = JSON.parse((await runCli(['eval', bundle, '-i', pii])).stdout);
    expect(fromBundle).toEqual(fromPack);
    const testCase = file('case.json', { name: 'x', input: { messages: [{ role: 'user', content: 'hi' }], upstream_response: { content: 'SSN 078-05-1120' } }, expected: { verdict: 'redact' } });
    const r = JSON.parse((await runCli(['eval', bundle, '-i', testCase, '--phase', 'response'])).stdout);
    expect([r.phase, r.verdict, r.response.choices[0].message.content]).toEqual(['response', 'redact', 'SSN [SSN_1]']);
  });

  const BAD: Array<[string, string[], RegExp]> = [
    ['a missing input file', ['-i', join(dir, 'nope.json')], /--input .*nope\.json: no such file/],
    ['input that is not JSON', ['-i', file('bad.json', '{"messages": [')], /not valid JSON/],
    ['a request without messages', ['-i', file('nomsg.json', { model: 'gpt-4o' })], /needs a "messages" array/],
    ['a test case without upstream_response in the response phase', ['-i', file('c2.json', { input: { messages: [] } }), '--phase', 'response'], /has no upstream_response/],
    ['an unknown phase', ['-i', pii, '--phase', 'both'], /argument 'both' is invalid/],
  ];
  for (const [name, args, message] of BAD) {
    it(`${name}: exit 2 with a clear message`, async () => {
      const r = await runCli(['eval', SEED_PACK, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
