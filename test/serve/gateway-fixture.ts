// Test fixture: writes a pack to a temp dir, starts fake upstreams and an in-process gateway on loopback port 0.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPack } from '../../src/pack.js';
import type { PolicyIr } from '../../src/runtime/types.js';
import { readAuditRecords } from '../../src/serve/audit-read.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/serve/gateway.js';
import { startMockUpstream, type MockUpstream } from '../../src/serve/mock-upstream.js';

/** A pack YAML with the given targets (base URLs filled in), chain and policy blocks. */
export function packYaml(opts: { targets: Array<{ id: string; url: string; env?: string; extra?: string }>; chain: string[]; policy?: string; extra?: string }): string {
  const targets = opts.targets
    .map((t) => `    - id: ${t.id}\n      provider: openai:chat:gpt-4o-mini\n      base_url: ${t.url}\n${t.env ? `      secret_key_ref:\n        env: ${t.env}\n` : ''}${t.extra ?? ''}`)
    .join('');
  return `pack:\n  name: test-pack\n  version: 1.0.0\n  enabled: true\nproviders:\n  targets:\n${targets}${opts.extra ?? ''}policies:\n  chain:\n${opts.chain.map((c) => `    - ${c}\n`).join('')}${opts.policy ? `policy:\n${opts.policy}` : ''}`;
}

/** A running fixture. */
export interface Fixture {
  gateway: Gateway;
  upstreams: MockUpstream[];
  dir: string;
  packFile: string;
  logs: string[];
  close(): Promise<void>;
}

/** Starts `n` fake upstreams and a gateway for the pack `yaml(urls)`. */
export async function startFixture(n: number, yaml: (urls: string[]) => string, options: Partial<GatewayOptions> = {}, mutateIr?: (ir: PolicyIr) => void): Promise<Fixture> {
  const upstreams = await Promise.all(Array.from({ length: n }, () => startMockUpstream()));
  const dir = mkdtempSync(join(tmpdir(), 'ktpack-serve-'));
  const packFile = join(dir, 'policy-config.yaml');
  writeFileSync(packFile, yaml(upstreams.map((u) => u.url)));
  const loaded = await loadPack(packFile);
  if (!loaded.ir) throw new Error(`fixture pack invalid: ${JSON.stringify(loaded.diagnostics.map((d) => d.message))}`);
  mutateIr?.(loaded.ir);
  const logs: string[] = [];
  const gateway = await startGateway({
    ir: loaded.ir,
    host: '127.0.0.1',
    port: 0,
    auditDir: join(dir, 'audit'),
    env: { KEY_A: 'sk-test-aaaaaaaaaaaaaaaa', KEY_B: 'sk-test-bbbbbbbbbbbbbbbb' },
    log: (l) => logs.push(l),
    maxRetryWaitMs: 2_000,
    loadPack: async () => {
      const p = await loadPack(packFile);
      if (!p.ir) throw new Error('invalid pack');
      return { ir: p.ir };
    },
    ...options,
  });
  return {
    gateway,
    upstreams,
    dir,
    packFile,
    logs,
    async close() {
      await gateway.close(1_000);
      await Promise.all(upstreams.map((u) => u.close()));
    },
  };
}

/** Reads the fixture's audit records once at least `min` exist (stream records are written as the stream ends). */
export async function auditRecords(f: Fixture, min = 0): Promise<Array<Record<string, unknown>>> {
  for (let i = 0; ; i++) {
    await f.gateway.flushAudit();
    const records = await readAuditRecords(join(f.dir, 'audit'));
    if (records.length >= min || i > 100) return records;
    await new Promise((r) => setTimeout(r, 10));
  }
}
