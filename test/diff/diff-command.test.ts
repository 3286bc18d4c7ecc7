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
    changes: [['weakens', 'request chain order: prompt-injection, pii-detector -> pii-detector, prompt-injection (another policy now sees the text first)']],
  },
  {
    name: 'response scanning turned off',
    edit: (y) => y.replace('    action: redact\n', '    action: redact\n    scan_responses: false\n'),
    changes: [
      ['weakens', 'request pii-detector: scan_responses true -> false'],
      ['weakens', 'response pii-detector: scan_responses true -> false'],
    ],
  },
  {
    name: 'base64 decoding turned off',
    edit: (y) => y.replace('    action: block\n', '    action: block\n    encoding:\n      decode_base64: false\n'),
    changes: [['weakens', 'request prompt-injection: encoding.decode_base64 true -> false']],
  },
  {
    name: 'fake-boundary detection turned off',
    edit: (y) => y.replace('    action: block\n', '    action: block\n    boundaries:\n      reject_fake_boundaries: false\n'),
    changes: [['weakens', 'request prompt-injection: boundaries.reject_fake_boundaries true -> false']],
  },
  {
    name: 'size limit raised',
    edit: (y) => `${y}size_limits:\n  max_body_bytes: 2000000\n`,
    changes: [['strengthens', 'size_limits.max_body_bytes (none) -> 2000000']],
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
  {
    name: 'target model changed',
    edit: (y) => y.replace('openai:chat:gpt-4o', 'openai:chat:gpt-4.1'),
    changes: [
      ['changes', 'target chatgpt-enterprise: model gpt-4o -> gpt-4.1'],
      ['changes', 'target chatgpt-enterprise: price per 1M tokens input $2.5, output $10, cached input $1.25 -> input $2, output $8, cached input $0.5'],
    ],
  },
  {
    name: 'base_url moved to another https host: a change',
    edit: (y) => y.replace('        env: OPENAI_API_KEY\n', '        env: OPENAI_API_KEY\n      base_url: https://llm.example.com/v1\n'),
    changes: [['changes', 'target chatgpt-enterprise: base_url https://api.openai.com/v1 -> https://llm.example.com/v1']],
  },
  {
    name: 'base_url moved to plain http off this machine: prompts and the key travel unencrypted',
    edit: (y) => y.replace('        env: OPENAI_API_KEY\n', '        env: OPENAI_API_KEY\n      base_url: http://llm.example.com/v1\n'),
    changes: [['weakens', 'target chatgpt-enterprise: base_url https://api.openai.com/v1 -> http://llm.example.com/v1 (plain http to llm.example.com: prompts and the upstream key travel unencrypted)']],
  },
  {
    name: 'base_url moved to plain http on loopback (a local model): a change',
    edit: (y) => y.replace('        env: OPENAI_API_KEY\n', '        env: OPENAI_API_KEY\n      base_url: http://127.0.0.1:11434/v1\n'),
    changes: [['changes', 'target chatgpt-enterprise: base_url https://api.openai.com/v1 -> http://127.0.0.1:11434/v1']],
  },
];

const twoTargets = (y: string): string =>
  y.replace('    - id: chatgpt-enterprise\n', '    - id: backup\n      provider: openai:chat:gpt-4o-mini\n      secret_key_ref:\n        env: OPENAI_API_KEY\n    - id: chatgpt-enterprise\n');
const withPatterns = (y: string): string =>
  y.replace('    action: block\n', '    action: block\n    detection:\n      attack_patterns: ["reveal the vault", "disable logging"]\n');

/** Changes that need a base other than the seed: [before, after] → expected [impact, message] pairs. */
const PAIRS: Array<{ name: string; before: string; after: string; changes: Array<[string, string]> }> = [
  {
    name: 'a target removed',
    before: twoTargets(seed),
    after: seed,
    changes: [
      ['weakens', 'target backup removed (one upstream fewer to serve or fall back to)'],
      ['changes', 'fallback order: backup, chatgpt-enterprise -> off'],
    ],
  },
  {
    name: 'an attack pattern removed',
    before: withPatterns(seed),
    after: withPatterns(seed).replace(', "disable logging"', ''),
    changes: [['weakens', 'request prompt-injection: detection.attack_patterns no longer includes disable logging']],
  },
  {
    name: 'size limit raised',
    before: `${seed}size_limits:\n  max_body_bytes: 1000000\n`,
    after: `${seed}size_limits:\n  max_body_bytes: 4000000\n`,
    changes: [['weakens', 'size_limits.max_body_bytes 1000000 -> 4000000']],
  },
  {
    name: 'fallback triggers and attempts changed',
    before: twoTargets(seed).replace('policies:\n', 'provider_fallback:\n  triggers: [rate_limit, 5xx, timeout]\n  max_fallback_attempts: 1\npolicies:\n'),
    after: twoTargets(seed).replace('policies:\n', 'provider_fallback:\n  triggers: [rate_limit]\n  max_fallback_attempts: 0\npolicies:\n'),
    changes: [
      ['changes', 'fallback triggers: rate_limit, server_error, timeout -> rate_limit'],
      ['changes', 'fallback max attempts: 1 -> 0'],
    ],
  },
  {
    name: 'a target timeout and price changed',
    before: seed,
    after: seed.replace('      provider: openai:chat:gpt-4o\n', '      provider: openai:chat:gpt-4o\n      timeouts:\n        first_byte_ms: 30000\n      pricing:\n        input_per_1m: 1\n        output_per_1m: 2\n'),
    changes: [
      ['changes', 'target chatgpt-enterprise: price per 1M tokens input $2.5, output $10, cached input $1.25 -> input $1, output $2, cached input $1.25'],
      ['changes', 'target chatgpt-enterprise: timeouts.first_byte_ms 60000 -> 30000'],
    ],
  },
  {
    name: 'pii-detector non_text_parts: allow -> block',
    before: seed,
    after: seed.replace('    action: redact\n', '    action: redact\n    non_text_parts: block\n'),
    changes: [['strengthens', 'request pii-detector: non_text_parts allow -> block (requests with image, audio or file parts are refused)']],
  },
  {
    name: 'pii-detector non_text_parts: block -> allow',
    before: seed.replace('    action: redact\n', '    action: redact\n    non_text_parts: block\n'),
    after: seed,
    changes: [['weakens', 'request pii-detector: non_text_parts block -> allow (image, audio and file parts pass to the upstream unread)']],
  },
  {
    name: 'content-filter narrowed to input only',
    before: seed.replace('    - audit-logger\n', '    - content-filter\n    - audit-logger\n').replace('policy:\n', 'policy:\n  content-filter:\n    action: block\n'),
    after: seed.replace('    - audit-logger\n', '    - content-filter\n    - audit-logger\n').replace('policy:\n', 'policy:\n  content-filter:\n    action: block\n    apply_to: input\n'),
    changes: [
      ['weakens', 'request content-filter: apply_to both -> input'],
      ['weakens', 'response content-filter: apply_to both -> input'],
    ],
  },
];

describe('ktpack diff', () => {
  const base = write(seed);
  for (const p of PAIRS) {
    it(p.name, async () => {
      const r = await runCli(['diff', write(p.before), write(p.after), '--format', 'json']);
      expect(r.stderr).toBe('');
      const body = JSON.parse(r.stdout);
      expect(body.changes.map((c: { impact: string; message: string }) => [c.impact, c.message])).toEqual(p.changes);
      expect(r.code).toBe(p.changes.some(([impact]) => impact === 'weakens') ? 1 : 0);
    });
  }

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
        `::notice file=${next.slice(dir.length + 1)},line=7,title=ktpack diff%3A changes::target chatgpt-enterprise: model gpt-4o -> gpt-4.1\n` +
        `::notice file=${next.slice(dir.length + 1)},line=7,title=ktpack diff%3A changes::target chatgpt-enterprise: price per 1M tokens input $2.5, output $10, cached input $1.25 -> input $2, output $8, cached input $0.5\n`,
    );
    const human = await runCli(['diff', MINI_PACK, SEED_PACK]);
    // The mini pack's target chatgpt-mini is gone from the seed pack: that alone weakens.
    expect(human.code).toBe(1);
    const header = /: (\d+) changes, (\d+) weakens? protection/.exec(human.stdout);
    expect(header).not.toBeNull();
    // The summary counts exactly the change lines listed under it.
    const lines = human.stdout.trim().split('\n').slice(1);
    expect(lines).toHaveLength(Number(header![1]));
    expect(lines.filter((l) => l.startsWith('  ! weakens'))).toEqual(['  ! weakens     target chatgpt-mini removed (one upstream fewer to serve or fall back to)']);
    expect(header![2]).toBe('1');
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
