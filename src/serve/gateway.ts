// Assembles a running gateway: pack state, upstream pool, fallback, audit log, metrics, proxy core, HTTP server, reload.
import type { PolicyIr } from '../runtime/types.js';
import { AuditLog } from './audit-log.js';
import { FallbackRunner } from './fallback.js';
import type { KeySet } from './gateway-keys.js';
import { startHttpServer } from './http-server.js';
import { Metrics } from './metrics.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream.js';
import { TagSanitizer } from './cost.js';
import { createProxyCore, type PackState, type ProxyCore } from './proxy-core.js';
import { UpstreamClient } from './upstream.js';

/** A pack ready to serve. */
export interface ServedPack {
  ir: PolicyIr;
  irHash?: string;
  origin?: string;
}

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  ir: PolicyIr;
  irHash?: string;
  /** Where the pack came from (shown by /ktpack/config). */
  origin?: string;
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
  /** Policy evaluation errors: block (default) or allow. */
  failMode?: 'block' | 'allow';
  /** Record decisions without blocking or redacting. */
  reportOnly?: boolean;
  gatewayKeys?: KeySet;
  adminKeys?: KeySet;
  /** Loads the pack again (SIGHUP, /ktpack/config/reload); throws when it is invalid. */
  loadPack?: () => Promise<ServedPack>;
  /** Longest retry-after waited for inside one request (default 5 s). */
  maxRetryWaitMs?: number;
  /** Overrides of the HTTP adapter's timeouts. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** A running gateway. */
export interface Gateway {
  url: string;
  /** The current audit segment ('' without audit-logger). */
  auditFile: string;
  auditDir: string;
  mock?: MockUpstream;
  core: ProxyCore;
  /** Reloads the pack; rejects and keeps the old one when the new one is invalid. */
  reload(): Promise<PackState>;
  /** Writes every queued audit record now. */
  flushAudit(): Promise<void>;
  /** Drains in-flight requests (up to `graceMs`), flushes the audit log and closes. */
  close(graceMs?: number): Promise<void>;
}

/** Thrown when no target can be used; the CLI refuses to start. */
export class NoUsableTargetError extends Error {}

/** Builds the serving state of a pack: targets whose key is present, in fallback order. */
export function packState(pack: ServedPack, env: Record<string, string | undefined>, keyless: boolean, maxRetryWaitMs: number): PackState {
  const unavailable: PackState['unavailable'] = [];
  const usable = pack.ir.targets.filter((t) => {
    if (keyless || !t.secretEnv || env[t.secretEnv] || t.forwardClientKey) return true;
    unavailable.push({ id: t.id, env: t.secretEnv });
    return false;
  });
  const runnerIr = { ...pack.ir, targets: usable };
  return {
    ir: pack.ir,
    irHash: pack.irHash,
    origin: pack.origin,
    runner: new FallbackRunner(runnerIr.targets, pack.ir.fallback, { maxRetryWaitMs }),
    unavailable,
    loadedAt: new Date().toISOString(),
  };
}

/**
 * The environment as upstream keys are read from it: values trimmed (a key mounted from a secret file often ends in a
 * newline, which no HTTP header may carry: every request to that target failed), blank ones unset.
 */
export function keyEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    const t = v?.trim();
    if (t) out[k] = t;
  }
  return out;
}

/** A start-up problem the user can fix (bad audit directory); the CLI exits 2 with its message. */
export class StartupError extends Error {}

/** Starts the gateway and resolves once it listens. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { log } = options;
  let mock: MockUpstream | undefined;
  let upstreamOverride = options.upstream;
  if (options.mockUpstream) {
    mock = await startMockUpstream({ record: false });
    upstreamOverride = mock.url;
    log(`mock upstream: ${mock.url} (built-in OpenAI-compatible answers; no API key needed)`);
  }
  const keyless = Boolean(options.mockUpstream);
  const keys = keyEnv(options.env);
  const maxRetryWaitMs = options.maxRetryWaitMs ?? 5_000;
  const build = (pack: ServedPack): PackState => {
    const s = packState(pack, keys, keyless, maxRetryWaitMs);
    for (const u of s.unavailable) log(`warning: target ${u.id} is unavailable: environment variable ${u.env} is not set`);
    for (const name of new Set(s.runner.targets.map((t) => t.secretEnv))) {
      if (name && keys[name] !== undefined && options.env[name] !== keys[name]) log(`warning: environment variable ${name} has leading or trailing whitespace; it is trimmed`);
    }
    if (s.ir.targets.length > 0 && s.runner.targets.length === 0) {
      throw new NoUsableTargetError(`no usable upstream target: set ${s.unavailable.map((u) => u.env).join(' or ')} (or use --mock-upstream)`);
    }
    return s;
  };
  let state: PackState;
  try {
    state = build({ ir: options.ir, irHash: options.irHash, origin: options.origin });
  } catch (e) {
    await mock?.close();
    throw e;
  }

  // The audit log follows the pack loaded at start; a reload that changes audit settings needs a restart.
  const auditCfg = options.ir.audit;
  let audit: AuditLog | undefined;
  if (auditCfg) {
    const hmacKey = auditCfg.hmacKeyEnv ? options.env[auditCfg.hmacKeyEnv] : undefined;
    if (auditCfg.hmacKeyEnv && !hmacKey) log(`warning: audit checkpoints are unsigned: environment variable ${auditCfg.hmacKeyEnv} is not set`);
    audit = new AuditLog({
      dir: options.auditDir,
      immutable: auditCfg.immutable,
      retentionDays: auditCfg.retentionDays,
      durable: auditCfg.durable,
      hmacKey,
      onError: (e) =>
        log(
          (e as NodeJS.ErrnoException).code
            ? `error: audit log write failed (${(e as NodeJS.ErrnoException).code}); records are kept in memory and retried`
            : `error: audit log: ${e.message}`,
        ),
    });
    try {
      await audit.open();
    } catch (e) {
      await mock?.close();
      throw new StartupError(`--audit-dir ${options.auditDir}: cannot open the audit log (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const upstream = new UpstreamClient();
  const metrics = new Metrics();
  let reloading: Promise<PackState> | undefined;
  const reload = async (): Promise<PackState> => {
    if (!options.loadPack) throw new Error('this gateway was started without a pack file to reload');
    const next = build(await options.loadPack());
    // The audit log was opened with the settings of the pack loaded at start; say so instead of ignoring a change.
    if (JSON.stringify(next.ir.audit ?? null) !== JSON.stringify(auditCfg ?? null)) {
      log('warning: the reloaded pack changes audit-logger settings; they take effect only after a restart');
    }
    state = next;
    log(`reloaded: ${next.ir.pack.name}@${next.ir.pack.version}${next.irHash ? ` (${next.irHash})` : ''}`);
    return next;
  };
  const core = createProxyCore({
    state: () => state,
    // Pseudonyms of personal tag values are keyed with the audit HMAC key when there is one (stable across restarts).
    sanitizer: new TagSanitizer(auditCfg?.hmacKeyEnv ? options.env[auditCfg.hmacKeyEnv] : undefined),
    upstream,
    env: keys,
    upstreamOverride,
    audit: audit ? (r) => audit.write(r) : undefined,
    metrics,
    failMode: options.failMode ?? 'block',
    reportOnly: options.reportOnly ?? false,
    gatewayKeys: options.gatewayKeys,
    adminKeys: options.adminKeys,
    // POST /ktpack/config/reload: a rejected pack is told to the operator's log too, as SIGHUP's is.
    reload: () =>
      (reloading ??= reload().finally(() => (reloading = undefined))).catch((e: Error) => {
        log(`reload rejected; the previous pack keeps serving: ${e.message}`);
        throw e;
      }),
    maxBodyBytes: state.ir.limits?.maxBodyBytes ?? 4 * 1024 * 1024,
  });
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    http = await startHttpServer(core, {
      host: options.host,
      port: options.port,
      maxBodyBytes: () => state.ir.limits?.maxBodyBytes ?? 4 * 1024 * 1024,
      headersTimeoutMs: options.headersTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
    });
  } catch (e) {
    // Nothing may keep the process alive after a failed start: a supervisor must see it exit.
    await Promise.allSettled([mock?.close(), audit?.close(), upstream.close()]);
    throw e;
  }
  return {
    url: http.url,
    auditFile: audit?.file ?? '',
    auditDir: options.auditDir,
    mock,
    core,
    reload: () => (reloading ??= reload().finally(() => (reloading = undefined))),
    flushAudit: async () => audit?.sync(),
    async close(graceMs) {
      await http.close(graceMs);
      // Requests cut off when the grace period ran out finish a moment later (their upstream calls are
      // aborted with the connection): let them queue their audit records before the log closes.
      for (let i = 0; i < 500 && core.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
      await audit?.close();
      await upstream.close();
      await mock?.close();
    },
  };
}
