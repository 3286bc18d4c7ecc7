// `ktpack diff`: a table of pack edits and the changes (and impacts) each must report; formats and exit codes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MINI_PACK, runCli, SEED_PACK } from '../helpers/cli.js';

const seed = readFileSync(SEED_PACK, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'ktpack-diff-'));
let n = 0;
const write = (yaml: string): string => {
  const f = join(dir, `p${n++}.yaml`);
  writeFileSync(f, yaml);
  return f;
};

/** Edit of the seed pack → the [impact, message] pairs the diff must report, in order. */
const EDITS: Array<{ name: string; edit: (y: string) => string; changes: Array<[string, string]> }> = [
  { name: 'no change', edit: (y) => y, changes: [] },
  { name: 'block turned into warn', edit: (y) => y.replace('action: block', 'action: warn'), changes: [['weakens', 'request prompt-injection: action block -> warn']] },
  { name: 'threshold raised', edit: (y) => y.replace('threshold: 0.8', 'threshold: 0.95'), changes: [['weakens', 'request prompt-injection: threshold 0.8 -> 0.95 (less sensitive)']] },
  { name: 'threshold lowered', edit: (y) => y.replace('threshold: 0.8', 'threshold: 0.6'), changes: [['strengthens', 'request prompt-injection: threshold 0.8 -> 0.6 (more sensitive)']] },
  {
    name: 'an entity removed',
    edit: (y) => y.replace('      - SSN\n', ''),
    changes: [
      ['weakens', 'request pii-detector: entities no longer includes SSN'],
      ['weakens', 'response pii-detector: entities no longer includes SSN'],
    ],
  },
  {
    name: 'a policy dropped from the chain',
    edit: (y) => y.replace('    - prompt-injection\n', '').replace(/  prompt-injection:\n    threshold: 0.8\n    action: block\n/, ''),
    changes: [['weakens', 'prompt-injection removed from the request chain']],
  },
  {
    name: 'chain reordered',
    edit: (y) => y.replace('    - prompt-injection\n    - pii-detector\n', '    - pii-detector\n    - prompt-injection\n'),
    changes: [['changes', 'request chain order: prompt-injection, pii-detector -> pii-detector, prompt-injection']],
  },
  { name: 'pack disabled', edit: (y) => y.replace('enabled: true', 'enabled: false'), changes: [['weakens', 'pack disabled (enabled: false): no policy runs, everything is allowed']] },
  {
    name: 'audit weakened',
    edit: (y) => y.replace('immutable: true', 'immutable: false').replace('retention_days: 365', 'retention_days: 30'),
    changes: [
      ['weakens', 'audit-logger: immutable true -> false'],
      ['weakens', 'audit-logger: retention_days 365 -> 30'],
    ],
  },
  { name: 'target model changed', edit: (y) => y.replace('openai:chat:gpt-4o', 'openai:chat:gpt-4.1'), changes: [['changes', 'target chatgpt-enterprise: model gpt-4o -> gpt-4.1']] },
];

describe('ktpack diff', () => {
  const base = write(seed);
  for (const e of EDITS) {
    it(e.name, async () => {
      const r = await runCli(['diff', base, write(e.edit(seed)), '--format', 'json']);
      const body = JSON.parse(r.stdout);
      expect(body.changes.map((c: { impact: string; message: string }) => [c.impact, c.message])).toEqual(e.changes);
      expect(r.code).toBe(e.changes.some(([impact]) => impact === 'weakens') ? 1 : 0);
    });
  }

  it('github format annotates the new file at the policy line; human format summarises', async () => {
    const next = write(seed.replace('action: block', 'action: warn').replace('openai:chat:gpt-4o', 'openai:chat:gpt-4.1'));
    const gh = await runCli(['diff', base, next, '--format', 'github'], {}, dir);
    expect(gh.code).toBe(1);
    expect(gh.stdout).toBe(
      `::warning file=${next.slice(dir.length + 1)},line=17,title=ktpack diff%3A weakens protection::request prompt-injection: action block -> warn\n` +
        `::notice file=${next.slice(dir.length + 1)},line=7,title=ktpack diff%3A changes::target chatgpt-enterprise: model gpt-4o -> gpt-4.1\n`,
    );
    const human = await runCli(['diff', MINI_PACK, SEED_PACK]);
    expect(human.code).toBe(0);
    const header = /: (\d+) changes, 0 weaken protection/.exec(human.stdout);
    expect(header).not.toBeNull();
    // The summary counts exactly the change lines listed under it.
    expect(human.stdout.trim().split('\n').slice(1)).toHaveLength(Number(header![1]));
    expect(human.stdout).toMatch(/\+ strengthens prompt-injection added to the request chain \(block\) {2}\(policy-config\.yaml:17\)/);
    const reverse = await runCli(['diff', SEED_PACK, MINI_PACK]);
    expect(reverse.code).toBe(1);
    expect(reverse.stdout).toMatch(/! weakens +pii-detector removed from the response chain/);
  });

  it('works on built bundles and reports broken inputs', async () => {
    const a = join(dir, 'bundle-a');
    await runCli(['build', base, '-o', a]);
    const r = await runCli(['diff', a, write(seed.replace('action: block', 'action: log')), '--format', 'json']);
    expect(JSON.parse(r.stdout).changes[0].message).toBe('request prompt-injection: action block -> log');
    const broken = await runCli(['diff', base, write(seed.replace('threshold', 'treshold'))]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('unknown key "treshold"');
    const missing = await runCli(['diff', base, join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: no such file/);
  });
});
