// Valid/invalid tables for every lint rule: each invalid case names the text its finding must start at.

/** An invalid case: the pack text, and the text at which the rule's first finding must start. */
export interface InvalidCase {
  yaml: string;
  /** The finding starts at the first occurrence of this text (after `after`, when given). */
  at: string;
  after?: string;
  /** Substring the message must contain. */
  message?: string;
  /** Number of findings of this rule (default 1). */
  count?: number;
}

/** Valid and invalid cases of one rule. */
export interface RuleCases {
  valid: string[];
  invalid: InvalidCase[];
}

const HEAD = 'pack:\n  name: t\n  version: 1.0.0\n  enabled: true\n';
const TARGET = 'providers:\n  targets:\n    - id: main\n      provider: openai:chat:gpt-4o\n      secret_key_ref:\n        env: OPENAI_API_KEY\n';
/** A pack with the given chain and extra YAML appended. */
export const pack = (chain: string[], rest = '', providers = TARGET) =>
  `${HEAD}${providers}policies:\n  chain: [${chain.join(', ')}]\n${rest}`;
const blocks = (...kinds: string[]) => `policy:\n${kinds.map((k) => `  ${k}: {}\n`).join('')}`;

/** Every rule's cases, keyed by rule id (a meta-test checks every rule has both kinds). */
export const RULE_CASES: Record<string, RuleCases> = {
  'audit-logger-missing': {
    valid: [pack(['pii-detector', 'audit-logger'], blocks('pii-detector', 'audit-logger')), pack([])],
    invalid: [{ yaml: pack(['pii-detector'], blocks('pii-detector')), at: 'chain', message: 'no audit-logger' }],
  },
  'audit-logger-not-last': {
    valid: [pack(['pii-detector', 'audit-logger'], blocks('pii-detector', 'audit-logger')), pack(['pii-detector'], blocks('pii-detector'))],
    invalid: [
      { yaml: pack(['audit-logger', 'pii-detector'], blocks('pii-detector', 'audit-logger')), at: 'audit-logger', message: 'position 1 of 2' },
      { yaml: pack(['prompt-injection', 'audit-logger', 'pii-detector'], blocks('prompt-injection', 'pii-detector', 'audit-logger')), at: 'audit-logger' },
    ],
  },
  'base-url-insecure': {
    valid: [
      pack(['audit-logger'], blocks('audit-logger'), `${TARGET}      base_url: https://api.openai.com/v1\n`),
      pack(['audit-logger'], blocks('audit-logger'), `${TARGET}      base_url: http://127.0.0.1:8080/v1\n`),
      pack(['audit-logger'], blocks('audit-logger'), `${TARGET}      base_url: http://localhost:11434/v1\n`),
    ],
    invalid: [{ yaml: pack(['audit-logger'], blocks('audit-logger'), `${TARGET}      base_url: http://llm.internal.example/v1\n`), at: 'http://llm', message: 'llm.internal.example' }],
  },
  'chain-duplicate-kind': {
    valid: [pack(['pii-detector', 'audit-logger'], blocks('pii-detector', 'audit-logger'))],
    invalid: [
      { yaml: pack(['pii-detector', 'audit-logger', 'pii-detector'], blocks('pii-detector', 'audit-logger')), at: 'pii-detector', after: 'audit-logger,', message: 'position 1' },
    ],
  },
  'chain-empty': {
    valid: [pack(['audit-logger'], blocks('audit-logger'))],
    invalid: [{ yaml: pack([]), at: '[]' }],
  },
  'chain-missing-block': {
    valid: [pack(['audit-logger'], blocks('audit-logger')), pack(['audit-logger'], 'policy:\n  audit-logger:\n    retention_days: 30\n')],
    invalid: [
      { yaml: pack(['pii-detector', 'audit-logger'], blocks('audit-logger')), at: 'pii-detector', message: 'default settings' },
      { yaml: pack(['prompt-injection', 'audit-logger']), at: 'prompt-injection', count: 2 },
    ],
  },
  'chain-unknown-kind': {
    valid: [pack(['prompt-injection', 'pii-detector', 'audit-logger'], blocks('prompt-injection', 'pii-detector', 'audit-logger')), pack(['rbac'])],
    invalid: [
      { yaml: pack(['pii-detecter']), at: 'pii-detecter', message: 'did you mean "pii-detector"' },
      { yaml: pack(['pii_detector']), at: 'pii_detector', message: 'did you mean "pii-detector"' },
      { yaml: pack(['my-custom-thing']), at: 'my-custom-thing', message: 'unknown policy kind "my-custom-thing"' },
    ],
  },
  'cost-model-no-price': {
    valid: [
      pack(['cost-attribution'], blocks('cost-attribution')),
      pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      model: my-finetune\n'),
      pack(['cost-attribution'], blocks('cost-attribution'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      model: gpt-4o-2024-08-06\n'),
      pack(['cost-attribution'], blocks('cost-attribution'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      model: my-ft\n      pricing: {input_per_1m: 1, output_per_1m: 2}\n'),
      pack(['cost-attribution'], 'policy:\n  cost-attribution:\n    pricing:\n      my-ft: {input_per_1m: 1, output_per_1m: 2}\n', 'providers:\n  targets:\n    - id: x\n      provider: openai\n      model: my-ft\n'),
    ],
    invalid: [
      { yaml: pack(['cost-attribution'], blocks('cost-attribution'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      model: my-finetune\n'), at: 'my-finetune', message: 'no known price' },
      { yaml: pack(['cost-attribution'], blocks('cost-attribution'), 'providers:\n  targets:\n    - id: x\n      provider: openai:chat:llama-3\n'), at: 'openai:chat:llama-3', message: '"llama-3"' },
      { yaml: pack(['cost-attribution'], blocks('cost-attribution'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n'), at: 'openai', after: 'x\n', message: 'names no model' },
    ],
  },
  'fallback-unknown-target': {
    valid: [pack(['audit-logger'], `${blocks('audit-logger')}provider_fallback:\n  targets: [main]\n`)],
    invalid: [
      { yaml: pack(['audit-logger'], blocks('audit-logger'), `${TARGET}  fallback:\n    targets: [main, mian2]\n`), at: 'mian2' },
      { yaml: pack(['audit-logger'], `${blocks('audit-logger')}provider_fallback:\n  targets: [mainn]\n`), at: 'mainn', message: 'did you mean "main"' },
      { yaml: pack(['audit-logger'], `${blocks('audit-logger')}model_groups:\n  - name: fast\n    targets: [nope]\n`), at: 'nope' },
    ],
  },
  'forward-client-key': {
    valid: [pack(['audit-logger'], blocks('audit-logger'), `${TARGET}      forward_client_key: false\n`)],
    invalid: [{ yaml: pack(['audit-logger'], blocks('audit-logger'), `${TARGET}      forward_client_key: true\n`), at: 'true', after: 'forward_client_key', message: 'forwards each client' }],
  },
  'kind-options': {
    valid: [pack(['pii-detector'], 'policy:\n  pii-detector:\n    entities: [EMAIL]\n')],
    invalid: [],
  },
  'literal-secret': {
    valid: [
      pack(['audit-logger'], blocks('audit-logger')),
      // A ${VAR} reference outside a target (ktpack does not build that kind, so nothing is refused for it).
      pack(['audit-logger'], `${blocks('audit-logger')}  embedding-detector:\n    api_key: \${EMBEDDING_API_KEY}\n`),
      pack(['audit-logger'], `${blocks('audit-logger')}# keys live in OPENAI_API_KEY, never here\n`),
      pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      base_url: https://svc@llm.example.com:8443/v1\n'),
    ],
    invalid: [
      { yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      api_key: hunter2-password\n'), at: 'hunter2', message: '"api_key" holds a literal credential' },
      { yaml: pack(['audit-logger'], blocks('audit-logger'), `providers:\n  targets:\n    - id: x\n      provider: openai\n      api_key: "sk-proj-${'Q'.repeat(40)}"\n`), at: 'sk-proj', message: 'OpenAI API key' },
      { yaml: pack(['audit-logger'], `${blocks('audit-logger')}# rotated: sk-${'Z'.repeat(48)}\n`), at: 'sk-Z', message: 'OpenAI API key' },
      { yaml: `${pack(['audit-logger'], blocks('audit-logger'))}# aws: AKIA${'A'.repeat(16)}\n`, at: 'AKIA', message: 'AWS access key id' },
      { yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      base_url: https://svc:s3cret-pw@llm.example.com/v1\n'), at: 'https://svc', message: 'password in a URL' },
      // ktpack build refuses a target's api_key in every form (compile/literal-secret); lint says so first, in the build's words.
      {
        yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      api_key: ${OPENAI_API_KEY}\n'),
        at: '${OPENAI',
        message: 'target "x": api_key is never compiled into a bundle, and ktpack does not expand ${OPENAI_API_KEY}; use secret_key_ref: {env: OPENAI_API_KEY}',
      },
      { yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      api_key: ""\n'), at: '""', message: 'target "x": a literal api_key is never compiled into a bundle' },
    ],
  },
  'pack-disabled': {
    valid: [pack(['audit-logger'], blocks('audit-logger'))],
    invalid: [{ yaml: pack(['audit-logger'], blocks('audit-logger')).replace('enabled: true', 'enabled: false'), at: 'false' }],
  },
  'pii-unknown-entity': {
    valid: [pack(['pii-detector'], 'policy:\n  pii-detector:\n    entities: [EMAIL, PHONE, SSN, CREDIT_CARD]\n')],
    invalid: [
      { yaml: pack(['pii-detector'], 'policy:\n  pii-detector:\n    entities: [EMAIL, email]\n'), at: 'email', message: 'did you mean "EMAIL"' },
      { yaml: pack(['pii-detector'], 'policy:\n  pii-detector:\n    entities: [EMAIL, CREDIT-CARD, PASSPORT]\n'), at: 'CREDIT-CARD', count: 2 },
    ],
  },
  'policy-not-in-chain': {
    valid: [pack(['audit-logger'], blocks('audit-logger'))],
    invalid: [{ yaml: pack(['audit-logger'], blocks('audit-logger', 'pii-detector')), at: 'pii-detector', message: 'never runs' }],
  },
  'prompt-injection-not-first': {
    valid: [pack(['prompt-injection', 'pii-detector', 'audit-logger'], blocks('prompt-injection', 'pii-detector', 'audit-logger')), pack(['pii-detector'], blocks('pii-detector'))],
    invalid: [{ yaml: pack(['pii-detector', 'prompt-injection', 'audit-logger'], blocks('prompt-injection', 'pii-detector', 'audit-logger')), at: 'prompt-injection', message: 'position 2' }],
  },
  'regex-catastrophic': {
    valid: [pack(['pii-detector'], "policy:\n  pii-detector:\n    detect_patterns: ['EMP-\\d{6}', 'ignore.*previous']\n")],
    invalid: [
      { yaml: pack(['pii-detector'], "policy:\n  pii-detector:\n    detect_patterns: ['ok', '(a+)+$']\n"), at: "'(a+)+$'" },
      { yaml: pack(['prompt-injection'], "policy:\n  prompt-injection:\n    detection:\n      attack_patterns: ['(\\w+\\s?)*!']\n"), at: "'(\\w" },
      { yaml: pack(['pii-detector'], "policy:\n  pii-detector:\n    detect_patterns:\n      - name: BADGE\n        pattern: '(\\d+)*x'\n"), at: "'(\\d" },
    ],
  },
  'regex-invalid': {
    valid: [pack(['content-filter'], "policy:\n  content-filter:\n    blocked_patterns: ['\\bforbidden\\b']\n")],
    invalid: [
      { yaml: pack(['content-filter'], "policy:\n  content-filter:\n    blocked_patterns: ['(unclosed']\n"), at: "'(unclosed", message: 'does not compile' },
      { yaml: pack(['prompt-injection'], "policy:\n  prompt-injection:\n    detection:\n      attack_patterns: ['(?i)ignore']\n"), at: "'(?i)" },
    ],
  },
  'secret-ref-name': {
    valid: [pack(['audit-logger'], blocks('audit-logger')), pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      secret_key_ref: {store: team.openai-key_1}\n')],
    invalid: [
      { yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      secret_key_ref: {env: OPENAI-KEY}\n'), at: 'OPENAI-KEY' },
      { yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      secret_key_ref: {env: "$OPENAI_KEY"}\n'), at: '"$OPENAI', message: 'env is not a valid environment variable name' },
      { yaml: pack(['audit-logger'], blocks('audit-logger'), `providers:\n  targets:\n    - id: x\n      provider: openai\n      secret_key_ref: {env: sk-proj-${'P'.repeat(40)}}\n`), at: 'sk-proj', message: 'env is not a valid' },
      { yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: x\n      provider: openai\n      secret_key_ref: {store: "team/key"}\n'), at: '"team/key"' },
      { yaml: pack(['audit-logger'], 'policy:\n  audit-logger:\n    hmac_key_env: 1KEY\n'), at: '1KEY' },
    ],
  },
  'target-base-url-missing': {
    valid: [
      pack(['audit-logger'], blocks('audit-logger')),
      pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: main\n      provider: openai\n      model: gpt-4o\n      secret_key_ref:\n        env: OPENAI_API_KEY\n'),
      pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: az\n      provider: azure:chat:gpt-4o\n      base_url: https://example.openai.azure.com/openai/v1\n      secret_key_ref:\n        env: AZURE_OPENAI_KEY\n'),
    ],
    invalid: [
      {
        yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: claude\n      provider: anthropic:messages:claude-3-5-sonnet\n      secret_key_ref:\n        env: ANTHROPIC_API_KEY\n'),
        at: 'anthropic:messages',
        message: 'ANTHROPIC_API_KEY) to https://api.openai.com/v1',
      },
    ],
  },
  'target-duplicate-id': {
    valid: [pack(['audit-logger'], blocks('audit-logger'), `${TARGET}    - id: backup\n      provider: openai:chat:gpt-4o-mini\n`)],
    invalid: [{ yaml: pack(['audit-logger'], blocks('audit-logger'), `${TARGET}    - id: main\n      provider: openai:chat:gpt-4o-mini\n`), at: 'main', after: 'OPENAI_API_KEY', message: 'duplicate target id "main"' }],
  },
  'threshold-range': {
    valid: [pack(['prompt-injection'], 'policy:\n  prompt-injection:\n    threshold: 0\n'), pack(['prompt-injection'], 'policy:\n  prompt-injection:\n    threshold: 1\n')],
    invalid: [
      { yaml: pack(['prompt-injection'], 'policy:\n  prompt-injection:\n    threshold: 80\n'), at: '80', message: 'between 0 and 1' },
      { yaml: pack(['prompt-injection'], 'policy:\n  prompt-injection:\n    detection:\n      embedding_threshold: -0.1\n'), at: '-0.1' },
      { yaml: 'policy:\n  name: prompt-injection\n  version: 1.0.0\n  enabled: true\nthreshold: 1.5\n', at: '1.5' },
    ],
  },
  'unsupported-kind': {
    valid: [pack(['audit-logger'], blocks('audit-logger'))],
    invalid: [
      { yaml: pack(['rbac', 'audit-logger'], blocks('audit-logger')), at: 'rbac', message: 'not supported by ktpack yet' },
      { yaml: pack(['audit-logger'], `${blocks('audit-logger')}  dlp-filter:\n    action: redact\n`), at: 'dlp-filter', message: 'not supported by ktpack yet' },
      { yaml: 'policy:\n  name: agent-firewall\n  version: 1.0.0\n  enabled: true\n', at: 'agent-firewall' },
    ],
  },
  'unsupported-option': {
    valid: [
      pack(['pii-detector', 'audit-logger'], 'policy:\n  pii-detector:\n    healthcare_mode: false\n  audit-logger: {}\n'),
      // Not in the chain: never compiled, so nothing is refused (policy-not-in-chain warns instead).
      pack(['audit-logger'], 'policy:\n  audit-logger: {}\n  pii-detector:\n    healthcare_mode: true\n'),
      pack(['audit-logger'], blocks('audit-logger')),
    ],
    invalid: [
      {
        yaml: pack(['pii-detector', 'audit-logger'], 'policy:\n  pii-detector:\n    action: redact\n    healthcare_mode: true\n  audit-logger: {}\n'),
        at: 'true',
        after: 'healthcare_mode:',
        message: 'pii-detector: healthcare_mode is not supported yet (no healthcare identifiers are detected) (the runtime cannot execute it, so no bundle is built)',
      },
      // Flow style, and a chain without audit-logger: the finding does not depend on the rest of the pack.
      { yaml: pack(['pii-detector'], 'policy:\n  pii-detector: {healthcare_mode: true}\n'), at: 'true', after: 'healthcare_mode:' },
      {
        yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: main\n      provider: openai:chat:gpt-4o\n      secret_key_ref: {store: openai-prod}\n'),
        at: 'openai-prod',
        message: 'target "main": secret stores are not supported by ktpack serve; use secret_key_ref: {env: NAME}',
      },
      {
        yaml: pack(['audit-logger'], blocks('audit-logger'), 'providers:\n  targets:\n    - id: a\n      provider: openai\n      secret_key_ref: {store: one}\n    - id: b\n      provider: openai\n      secret_key_ref: {store: two}\n'),
        at: 'one',
        count: 2,
      },
    ],
  },
  'unsupported-section': {
    valid: [pack(['audit-logger'], blocks('audit-logger'))],
    invalid: [{ yaml: pack(['audit-logger'], `${blocks('audit-logger')}global_rate_limit:\n  requests_per_minute: 60\n`), at: 'global_rate_limit' }],
  },
};
