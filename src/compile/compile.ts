// Compiles a lint-clean pack document into the IR. Pure and deterministic: no fs, no clock.
import { DOCS_BASE, formatPath, type Diagnostic, type JsonPath } from '../diagnostics.js';
import { buildRefusals } from './build-refusals.js';
import { getKind } from '../kinds/index.js';
import type { PackData } from '../lint/rule.js';
import type { PackDocument } from '../load/document.js';
import { priceOf } from '../pricing/prices.js';
import { RUN_KIND_IDS } from '../runtime/kinds/ids.js';
import {
  IR_VERSION,
  type IrAudit,
  type IrCost,
  type IrFallback,
  type IrPricing,
  type IrStep,
  type IrTarget,
  type PolicyIr,
  type SourceRef,
} from '../runtime/types.js';

/** Default upstream for OpenAI targets. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Default per-attempt timeouts (ms), as in providers.schema.json. */
const DEFAULT_TIMEOUTS = { connect_ms: 5000, first_byte_ms: 60000, total_ms: 600000 };

/** Default fallback attempts, as in providers.schema.json. */
const DEFAULT_MAX_FALLBACK_ATTEMPTS = 3;

/** Documented trigger names → the runtime's four trigger classes. */
const TRIGGERS: Record<string, IrFallback['triggers'][number]> = {
  '5xx': 'server_error',
  connection_error: 'connection_error',
  rate_limit: 'rate_limit',
  rate_limit_exceeded: 'rate_limit',
  server_error: 'server_error',
  service_unavailable: 'server_error',
  timeout: 'timeout',
};

/** Result of compiling: an IR, or diagnostics explaining why there is none. */
export interface CompileResult {
  ir?: PolicyIr;
  diagnostics: Diagnostic[];
}

/** Compiles `doc` (which must already lint clean). `file` names the pack in `src` refs. */
export function compile(doc: PackDocument, file = 'policy-config.yaml'): CompileResult {
  const data = doc.data as PackData & { provider_fallback?: Record<string, unknown> };
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
      docsUrl: `${DOCS_BASE}/compiler.md#compile-${code}`,
    });
  };

  if (!data.pack) {
    // A stand-alone policy document lints on its own, but a gateway needs a full pack around it.
    fail(['policy'], 'single-policy-document', 'a stand-alone policy document cannot be built or served on its own; put its settings under policy.<kind> in a full pack');
    return { diagnostics };
  }
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
      if (!RUN_KIND_IDS.includes(kind.id)) {
        fail(['policies', 'chain', i], 'no-runtime', `policy kind "${name}" has no runtime implementation yet; remove it from the chain`);
        return;
      }
      // The kind's lower() produces its own step shape; the IR schema test holds every kind to it.
      const step = { policy: name, kind: kind.id, action: lowered.step.action, options: lowered.step.options, src: src(blockPath) } as unknown as IrStep;
      if (kind.meta.phase === 'request' || kind.meta.phase === 'both') request.push(step);
      if (kind.meta.phase === 'response' || kind.meta.phase === 'both') response.push(step);
    }
  });

  const rawTargets = (data.providers?.targets ?? []) as Array<Record<string, unknown>>;
  const targets: IrTarget[] = [];
  rawTargets.forEach((t, i) => {
    targets.push(lowerTarget(t, src(['providers', 'targets', i]), (cost as IrCost | null)?.pricing ?? {}));
  });
  // Unsupported options and literal keys: the same findings the lint rules unsupported-option and literal-secret report.
  for (const r of buildRefusals(data)) fail(r.path, r.code, r.message);
  const fallback = lowerFallback(data, targets, src, fail);
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
      fallback,
      audit,
      cost,
      limits: lowerLimits(data as Record<string, unknown>, src(['size_limits'])),
    },
  };
}

/**
 * Resolves `provider: openai:chat:gpt-4o` and `provider: openai` + `model` into one shape. Prices are
 * resolved per field: the target's own `pricing`, then cost-attribution's price for the target's
 * model, then ktpack's built-in table; a field none of them knows stays null (also when the target
 * passes the client's model through).
 */
function lowerTarget(t: Record<string, unknown>, src: SourceRef, costPricing: Record<string, IrPricing>): IrTarget {
  const providerField = String(t.provider);
  const parts = providerField.split(':');
  const provider = parts[0];
  const modelFromId = parts.length >= 3 ? parts.slice(2).join(':') : null;
  const model = typeof t.model === 'string' ? t.model : modelFromId;
  const ref = t.secret_key_ref as { env?: string } | undefined;
  const p = (t.pricing as Record<string, number | undefined> | undefined) ?? {};
  const fromCost = model ? costPricing[model] : undefined;
  const builtin = model ? priceOf(model) : undefined;
  const field = (own: number | undefined, pack: number | null | undefined, table: number | undefined): number | null => own ?? pack ?? table ?? null;
  const resolved: IrPricing = {
    inputPer1m: field(p.input_per_1m, fromCost?.inputPer1m, builtin?.input),
    outputPer1m: field(p.output_per_1m, fromCost?.outputPer1m, builtin?.output),
    cachedInputPer1m: field(p.cached_input_per_1m, fromCost?.cachedInputPer1m, builtin?.cachedInput),
  };
  const pricing = Object.values(resolved).some((v) => v !== null) ? resolved : null;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...((t.timeouts as Record<string, number> | undefined) ?? {}) };
  return {
    id: String(t.id),
    provider,
    model,
    baseUrl: typeof t.base_url === 'string' ? t.base_url.replace(/\/+$/, '') : OPENAI_BASE_URL,
    secretEnv: ref?.env ?? null,
    apiKeyHeader: typeof t.api_key_header === 'string' ? t.api_key_header.toLowerCase() : 'authorization',
    apiKeyPrefix: typeof t.api_key_prefix === 'string' ? t.api_key_prefix : 'Bearer ',
    forwardClientKey: t.forward_client_key === true,
    pricing,
    timeouts: { connectMs: timeouts.connect_ms, firstByteMs: timeouts.first_byte_ms, totalMs: timeouts.total_ms },
    src,
  };
}

/**
 * Resolves the fallback order from `providers.fallback` or the top-level `provider_fallback`
 * (the first one present wins) and `providers.strategy`.
 */
function lowerFallback(
  data: PackData & { provider_fallback?: Record<string, unknown> },
  targets: IrTarget[],
  src: (path: JsonPath) => SourceRef,
  fail: (path: JsonPath, code: string, message: string) => void,
): IrFallback {
  const providers = (data.providers ?? {}) as Record<string, unknown>;
  const fromProviders = providers.fallback as Record<string, unknown> | undefined;
  const base: JsonPath = fromProviders ? ['providers', 'fallback'] : data.provider_fallback ? ['provider_fallback'] : data.providers ? ['providers'] : ['pack'];
  const f = fromProviders ?? data.provider_fallback ?? {};
  const ids = targets.map((t) => t.id);
  let order = ids;
  if (Array.isArray(f.targets)) {
    order = [];
    (f.targets as string[]).forEach((id, i) => {
      if (ids.includes(id)) order.push(id);
      else fail([...base, 'targets', i], 'unknown-target', `fallback target "${id}" is not a target id (known: ${ids.join(', ') || 'none'})`);
    });
  }
  const named = (f.triggers ?? f.retry_on) as string[] | undefined;
  const triggers = named ? [...new Set(named.map((n) => TRIGGERS[n]).filter(Boolean))].sort() : (['connection_error', 'rate_limit', 'server_error', 'timeout'] as const);
  const strategy = providers.strategy;
  const enabled = strategy !== 'single' && f.enabled !== false && order.length > 1;
  const maxAttempts = Number(f.max_fallback_attempts ?? f.max_retries ?? DEFAULT_MAX_FALLBACK_ATTEMPTS);
  return { enabled, order, triggers: [...triggers], maxAttempts: enabled ? Math.min(maxAttempts, order.length - 1) : 0, src: src(base) };
}

/** `size_limits` → IR limits (enforced by `ktpack serve`). */
function lowerLimits(data: Record<string, unknown>, src: SourceRef): PolicyIr['limits'] {
  const s = data.size_limits as Record<string, unknown> | undefined;
  if (!s) return null;
  return {
    src,
    ...(typeof s.max_body_bytes === 'number' ? { maxBodyBytes: s.max_body_bytes } : {}),
    ...(typeof s.max_response_bytes === 'number' ? { maxResponseBytes: s.max_response_bytes } : {}),
  };
}
