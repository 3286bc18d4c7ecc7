// Assembles a running gateway: pack → IR, upstream client, audit sink, proxy core, HTTP server.
import type { PolicyIr } from '../runtime/types.js';
import { AuditSink } from './audit-sink.js';
import { startHttpServer } from './http-server.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream.js';
import { createProxyCore } from './proxy-core.js';
import { UpstreamClient } from './upstream.js';

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  ir: PolicyIr;
  irHash?: string;
  host: string;
  port: number;
  /** Overrides every target's base URL. */
  upstream?: string;
  /** Start the built-in OpenAI-compatible upstream and send traffic there. */
  mockUpstream?: boolean;
  auditDir: string;
  env: Record<string, string | undefined>;
  /** Progress and warnings (stderr in the CLI). */
  log: (line: string) => void;
}

/** A running gateway. */
export interface Gateway {
  url: string;
  auditFile: string;
  mock?: MockUpstream;
  close(): Promise<void>;
}

/** Starts the gateway and resolves once it listens. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { ir, log } = options;
  let mock: MockUpstream | undefined;
  let upstreamOverride = options.upstream;
  if (options.mockUpstream) {
    mock = await startMockUpstream({ record: false });
    upstreamOverride = mock.url;
    log(`mock upstream: ${mock.url} (built-in OpenAI-compatible answers; no API key needed)`);
  } else {
    for (const t of ir.targets) {
      if (t.secretEnv && !options.env[t.secretEnv]) {
        log(`warning: target ${t.id}: environment variable ${t.secretEnv} is not set; requests will be sent without a key`);
      }
    }
  }
  const audit = ir.audit ? new AuditSink(options.auditDir) : undefined;
  await audit?.open();
  const upstream = new UpstreamClient();
  const core = createProxyCore({
    ir,
    irHash: options.irHash,
    upstream,
    env: options.env,
    upstreamOverride,
    audit: audit ? (r) => audit.write(r) : undefined,
  });
  const http = await startHttpServer(core, { host: options.host, port: options.port });
  return {
    url: http.url,
    auditFile: audit?.file ?? '',
    mock,
    async close() {
      await http.close();
      await upstream.close();
      await audit?.close();
      await mock?.close();
    },
  };
}
