// Pack variants used by the compile tests: the seed pack with fallback, pricing and other resolved fields.
import { readFileSync } from 'node:fs';
import { SEED_PACK } from '../helpers/cli.js';

const seed = readFileSync(SEED_PACK, 'utf8');

/** Named pack texts that must compile cleanly. */
export const VARIANTS: Array<{ name: string; yaml: string }> = [
  {
    name: 'seed with two targets, pricing, timeouts and fallback',
    yaml: seed.replace(
      /providers:\n  targets:\n[\s\S]*?policies:/,
      `providers:
  targets:
    - id: primary
      provider: openai
      model: gpt-4o
      base_url: https://llm.internal.example/v1/
      secret_key_ref:
        env: PRIMARY_KEY
      pricing:
        input_per_1m: 2.5
        output_per_1m: 10
      timeouts:
        connect_ms: 1000
    - id: backup
      provider: openai:chat:gpt-4o-mini
      secret_key_ref:
        env: BACKUP_KEY
  fallback:
    targets: [backup, primary]
    triggers: [rate_limit_exceeded, 5xx, timeout]
    max_fallback_attempts: 5
policies:`,
    ),
  },
  { name: 'seed, disabled, with warn action', yaml: seed.replace('enabled: true', 'enabled: false').replace('action: block', 'action: warn') },
  { name: 'seed without policy blocks (defaults)', yaml: seed.replace(/\npolicy:[\s\S]*$/, '\n') },
  {
    name: 'every option with a regex or a message, content-filter and size limits included',
    yaml: seed
      .replace('    - audit-logger\n', '    - content-filter\n    - audit-logger\n')
      .replace(
        '  prompt-injection:\n    threshold: 0.8\n    action: block\n',
        `  prompt-injection:
    threshold: 0.8
    detection:
      attack_patterns: ["reveal\\\\s+the\\\\s+vault"]
    response:
      action: warn
      message: Flagged by the security team
  content-filter:
    action: redact
    categories: [weapons]
    blocked_terms: [project nightingale]
    blocked_patterns: ["\\\\bACME-\\\\d{4}\\\\b"]
    apply_to: input
`,
      )
      .replace(
        '      - CREDIT_CARD\n',
        `      - CREDIT_CARD
    detect_patterns:
      - "EMP-\\\\d{6}"
      - name: BADGE
        pattern: "B[0-9]{5}"
      - ssn
    redaction:
      marker_format: partial
      preserve_length: true
      custom_markers:
        EMAIL: "[mail {n}]"
`,
      )
      .concat('size_limits:\n  max_body_bytes: 2000000\n  max_response_bytes: 8000000\n'),
  },
];
