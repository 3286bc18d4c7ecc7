// The packs the gateway benchmarks serve: the seed pack as shipped, an empty chain, and every registered kind on.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './processes.mjs';

/** Writes the bench packs: the seed pack as shipped, an empty chain, and every registered kind switched on. */
export async function writePacks(dir) {
  const seed = await readFile(join(ROOT, 'packs/chatgpt-enterprise-gateway/policy-config.yaml'), 'utf8');
  const header = (name) => `pack:\n  name: ${name}\n  version: 1.0.0\n  enabled: true\nproviders:\n  targets:\n    - id: bench\n      provider: openai:chat:gpt-4o\n      secret_key_ref:\n        env: OPENAI_API_KEY\n`;
  const { KINDS } = await import(join(ROOT, 'dist/kinds/index.js'));
  const ids = KINDS.map((k) => k.id);
  // Options per known kind; a kind added later runs with its defaults. Blocking/redacting kinds first, audit last.
  const options = {
    'prompt-injection': '    threshold: 0.8\n    action: block\n',
    'content-filter': '    action: block\n',
    'pii-detector': '    action: redact\n',
    'cost-attribution': '    tags_from_body: true\n',
    'audit-logger': '    immutable: true\n    retention_days: 365\n    log_all_access: true\n',
  };
  const rank = (id) => (id === 'audit-logger' ? 2 : id === 'cost-attribution' ? 1 : 0);
  const chain = [...ids].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const all = `${header('bench-all-policies')}policies:\n  chain:\n${chain.map((id) => `    - ${id}\n`).join('')}policy:\n${chain.map((id) => `  ${id}:\n${options[id] ?? '    {}\n'}`).join('')}`;
  const files = {
    seed: join(dir, 'seed.yaml'),
    empty: join(dir, 'empty.yaml'),
    all: join(dir, 'all.yaml'),
  };
  await writeFile(files.seed, seed);
  await writeFile(files.empty, `${header('bench-empty-chain')}policies:\n  chain: []\n`);
  await writeFile(files.all, all);
  return { files, allKinds: chain };
}
