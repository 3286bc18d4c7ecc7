// Compiles a lint-clean pack document into the IR. Pure and deterministic: no fs, no clock.
import { DOCS_BASE, formatPath, type Diagnostic, type JsonPath } from '../diagnostics.js';
import { lowerPricing } from '../kinds/cost-attribution/index.js';
import { getKind } from '../kinds/index.js';
import type { PackData } from '../lint/rule.js';
import type { PackDocument } from '../load/document.js';
import { IR_VERSION, type IrAudit, type IrCost, type IrFallback, type IrStep, type IrTarget, type PolicyIr, type SourceRef } from '../runtime/types.js';

/** Default upstream for OpenAI targets. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Result of compiling: an IR, or diagnostics explaining why there is none. */
export interface CompileResult {
  ir?: PolicyIr;
  diagnostics: Diagnostic[];
}

/** Compiles `doc` (which must already lint clean). `file` names the pack in `src` refs. */
export function compile(doc: PackDocument, file = 'policy-config.yaml'): CompileResult {
  const data = doc.data as PackData;
  const diagnostics: Diagnostic[] = [];
  const src = (path: JsonPath): SourceRef => ({ file, path: formatPath(path), line: doc.lineOf(path) });
  const fail = (path: JsonPath, code: string, message: string): void => {
    diagnostics.push({
      code: `compile/${code}`,
      severity: 'error',
      message,
      source: doc.source,
      path,
      range: doc.rangeOf(path),
      docsUrl: `${DOCS_BASE}/diagnostics.md#compile`,
    });
  };

  const request: IrStep[] = [];
  const response: IrStep[] = [];
  let audit: IrAudit | null = null;
  let cost: IrCost | null = null;
  const chain = (data.policies?.chain ?? []) as string[];
  chain.forEach((name, i) => {
    const kind = getKind(name);
    if (!kind) {
      fail(['policies', 'chain', i], 'unknown-kind', `cannot compile unknown policy kind "${name}"`);
      return;
    }
    const blockPath: JsonPath = data.policy?.[name] ? ['policy', name] : ['policies', 'chain', i];
    const lowered = kind.lower(data.policy?.[name] ?? {}, { src: src(blockPath) });
    if (lowered.audit) audit = { ...lowered.audit, src: src(blockPath) };
    if (lowered.cost) cost = { ...lowered.cost, src: src(blockPath) };
    if (lowered.step) {
      const step: IrStep = { policy: name, kind: kind.id, action: lowered.step.action, options: lowered.step.options, src: src(blockPath) };
      if (kind.meta.phase === 'request' || kind.meta.phase === 'both') request.push(step);
      if (kind.meta.phase === 'response' || kind.meta.phase === 'both') response.push(step);
    }
  });

  const targets: IrTarget[] = (data.providers?.targets ?? []).map((t, i) => lowerTarget(t, src(['providers', 'targets', i])));
  if (diagnostics.length > 0) return { diagnostics };
  const pack = data.pack ?? {};
  return {
    diagnostics,
    ir: {
      irVersion: IR_VERSION,
      pack: { name: String(pack.name), version: String(pack.version), enabled: pack.enabled !== false },
      request,
      response,
      targets,
      audit,
      cost,
      fallback: lowerFallback(data as Record<string, unknown>),
      limits: lowerLimits(data as Record<string, unknown>),
    },
  };
}

/** Resolves `provider: openai:chat:gpt-4o` and `provider: openai` + `model` into one shape. */
function lowerTarget(t: Record<string, unknown>, src: SourceRef): IrTarget {
  const providerField = String(t.provider);
  const parts = providerField.split(':');
  const provider = parts[0];
  const modelFromId = parts.length >= 3 ? parts.slice(2).join(':') : null;
  const model = typeof t.model === 'string' ? t.model : modelFromId;
  const ref = t.secret_key_ref as { env?: string } | undefined;
  return {
    id: String(t.id),
    provider,
    model,
    baseUrl: typeof t.base_url === 'string' ? t.base_url.replace(/\/+$/, '') : OPENAI_BASE_URL,
    secretEnv: ref?.env ?? null,
    ...lowerTargetExtras(t),
    src,
  };
}

/** Target settings used by `ktpack serve`: key header, client-key forwarding, pricing, timeouts. */
function lowerTargetExtras(t: Record<string, unknown>): Partial<IrTarget> {
  const out: Partial<IrTarget> = { forwardClientKey: t.forward_client_key === true };
  if (typeof t.api_key_header === 'string') out.apiKeyHeader = t.api_key_header.toLowerCase();
  if (typeof t.api_key_prefix === 'string') out.apiKeyPrefix = t.api_key_prefix;
  if (t.pricing && typeof t.pricing === 'object') out.pricing = lowerPricing(t.pricing as Record<string, unknown>);
  const to = (t.timeouts ?? {}) as Record<string, unknown>;
  out.timeouts = {
    connectMs: typeof to.connect_ms === 'number' ? to.connect_ms : 5_000,
    firstByteMs: typeof to.first_byte_ms === 'number' ? to.first_byte_ms : 60_000,
    totalMs: typeof to.total_ms === 'number' ? to.total_ms : 600_000,
  };
  return out;
}

const TRIGGER_ALIASES: Record<string, string> = {
  rate_limit: 'rate_limit',
  rate_limit_exceeded: 'rate_limit',
  server_error: 'server_error',
  '5xx': 'server_error',
  service_unavailable: 'service_unavailable',
  timeout: 'timeout',
  connection_error: 'connection_error',
};

/** Merges `providers.fallback` and top-level `provider_fallback` (the former wins per field). */
function lowerFallback(data: Record<string, unknown>): IrFallback | null {
  const top = (data.provider_fallback ?? undefined) as Record<string, unknown> | undefined;
  const inner = ((data.providers as Record<string, unknown> | undefined)?.fallback ?? undefined) as Record<string, unknown> | undefined;
  if (!top && !inner) return null;
  const f = { ...(top ?? {}), ...(inner ?? {}) };
  const rawTriggers = (f.triggers ?? f.retry_on) as string[] | undefined;
  const triggers = rawTriggers
    ? [...new Set(rawTriggers.map((t) => TRIGGER_ALIASES[t]).filter((t): t is string => Boolean(t)))].sort()
    : ['connection_error', 'rate_limit', 'server_error', 'service_unavailable', 'timeout'];
  const max = (f.max_fallback_attempts ?? f.max_retries) as number | undefined;
  return {
    enabled: f.enabled !== false,
    targets: Array.isArray(f.targets) ? (f.targets as string[]) : [],
    triggers,
    maxFallbackAttempts: typeof max === 'number' ? max : 3,
  };
}

/** `size_limits` → IR limits. */
function lowerLimits(data: Record<string, unknown>): PolicyIr['limits'] {
  const s = data.size_limits as Record<string, unknown> | undefined;
  if (!s) return null;
  return {
    ...(typeof s.max_body_bytes === 'number' ? { maxBodyBytes: s.max_body_bytes } : {}),
    ...(typeof s.max_response_bytes === 'number' ? { maxResponseBytes: s.max_response_bytes } : {}),
  };
}
