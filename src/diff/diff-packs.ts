// Semantic diff of two compiled packs: chain order, actions, thresholds, entities, targets; flags what weakens protection.
import { plainHttpHost } from '../lint/rules/base-url-insecure.js';
import type { IrStep, IrTarget, PolicyIr, SourceRef } from '../runtime/types.js';

/** How a change affects protection. */
export type ChangeImpact = 'weakens' | 'strengthens' | 'changes';

/** One semantic change between two packs. */
export interface PackChange {
  impact: ChangeImpact;
  /** What changed: pack, policy, order, action, option, target, fallback, audit. */
  kind: 'pack' | 'policy' | 'order' | 'action' | 'option' | 'target' | 'fallback' | 'audit';
  message: string;
  phase?: 'request' | 'response';
  policy?: string;
  /** Where in the NEW pack the change is (absent when the thing was removed). */
  src?: SourceRef;
}

const ACTION_RANK: Record<string, number> = { log: 0, warn: 1, redact: 2, block: 3 };

/** IR option lists (camelCase, as compiled) where every item is protection: removing one weakens the policy. */
const PROTECTIVE_LISTS = new Set(['entities', 'categories', 'blockedTerms', 'blockedPatterns', 'customPatterns', 'attackPatterns']);

/** IR boolean options where turning them off weakens the policy. */
const PROTECTIVE_FLAGS = new Set(['scanResponses', 'decodeBase64', 'normalizeUnicode', 'detectHomoglyphs', 'rejectFakeBoundaries']);

/** IR option paths whose pack spelling is not just the snake_case of the IR key. */
const PACK_NAMES: Record<string, string> = {
  attackPatterns: 'detection.attack_patterns',
  customPatterns: 'detect_patterns',
  rejectFakeBoundaries: 'boundaries.reject_fake_boundaries',
  message: 'response.message',
  'markers.format': 'redaction.marker_format',
  'markers.preserveLength': 'redaction.preserve_length',
  'markers.customMarkers': 'redaction.custom_markers',
};

/** An IR option path as the pack spells it (`encoding.decodeBase64` → `encoding.decode_base64`). */
function packName(path: string): string {
  return PACK_NAMES[path] ?? path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** How much of the traffic content-filter's `apply_to` covers. */
const APPLY_TO_SIDES: Record<string, string[]> = { both: ['input', 'output'], input: ['input'], output: ['output'] };

const show = (v: unknown): string => {
  if (typeof v === 'string') return v;
  // Regexes (and named custom patterns) read as the pack wrote them.
  const r = v as { source?: unknown; entity?: unknown } | null;
  if (r && typeof r === 'object' && typeof r.source === 'string') return typeof r.entity === 'string' ? `${r.entity}: ${r.source}` : r.source;
  return JSON.stringify(v);
};

/** Compares `before` with `after`; changes are listed pack, then request chain, response chain, audit, targets. */
export function diffPacks(before: PolicyIr, after: PolicyIr): PackChange[] {
  const out: PackChange[] = [];
  if (before.pack.enabled !== after.pack.enabled) {
    out.push(
      after.pack.enabled
        ? { impact: 'strengthens', kind: 'pack', message: 'pack enabled: its policies run again' }
        : { impact: 'weakens', kind: 'pack', message: 'pack disabled (enabled: false): no policy runs, everything is allowed' },
    );
  }
  if (before.pack.name !== after.pack.name) out.push({ impact: 'changes', kind: 'pack', message: `pack renamed: ${before.pack.name} -> ${after.pack.name}` });
  if (before.pack.version !== after.pack.version) out.push({ impact: 'changes', kind: 'pack', message: `version ${before.pack.version} -> ${after.pack.version}` });
  for (const phase of ['request', 'response'] as const) out.push(...diffChain(phase, before[phase], after[phase]));
  out.push(...diffAudit(before, after));
  out.push(...diffCost(before, after));
  out.push(...diffLimits(before, after));
  out.push(...diffTargets(before, after));
  return out;
}

function diffChain(phase: 'request' | 'response', before: IrStep[], after: IrStep[]): PackChange[] {
  const out: PackChange[] = [];
  const oldBy = new Map(before.map((s) => [s.policy, s]));
  const newBy = new Map(after.map((s) => [s.policy, s]));
  for (const s of before) {
    if (!newBy.has(s.policy)) out.push({ impact: 'weakens', kind: 'policy', phase, policy: s.policy, message: `${s.policy} removed from the ${phase} chain` });
  }
  for (const s of after) {
    if (!oldBy.has(s.policy)) out.push({ impact: 'strengthens', kind: 'policy', phase, policy: s.policy, src: s.src, message: `${s.policy} added to the ${phase} chain (${s.action})` });
  }
  const oldOrder = before.filter((s) => newBy.has(s.policy)).map((s) => s.policy);
  const newOrder = after.filter((s) => oldBy.has(s.policy)).map((s) => s.policy);
  if (oldOrder.join('\u0000') !== newOrder.join('\u0000')) {
    // Order decides which policy sees the text first and which block wins: a reviewer must look at it.
    out.push({ impact: 'weakens', kind: 'order', phase, src: after[0]?.src, message: `${phase} chain order: ${oldOrder.join(', ')} -> ${newOrder.join(', ')} (another policy now sees the text first)` });
  }
  for (const s of after) {
    const old = oldBy.get(s.policy);
    if (!old) continue;
    const at = { phase, policy: s.policy, src: s.src };
    if (old.action !== s.action) {
      const weaker = (ACTION_RANK[s.action] ?? 0) < (ACTION_RANK[old.action] ?? 0);
      out.push({ ...at, impact: weaker ? 'weakens' : 'strengthens', kind: 'action', message: `${phase} ${s.policy}: action ${old.action} -> ${s.action}` });
    }
    out.push(...diffOptions(old.options as unknown as Record<string, unknown>, s.options as unknown as Record<string, unknown>, at));
  }
  return out;
}

function diffOptions(before: Record<string, unknown>, after: Record<string, unknown>, at: { phase: 'request' | 'response'; policy: string; src: SourceRef }, prefix = ''): PackChange[] {
  const out: PackChange[] = [];
  const label = `${at.phase} ${at.policy}`;
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[key];
    const b = after[key];
    const path = `${prefix}${key}`;
    const name = packName(path);
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      out.push(...diffOptions(a as Record<string, unknown>, b as Record<string, unknown>, at, `${path}.`));
      continue;
    }
    if (Array.isArray(a) || Array.isArray(b)) {
      const oldItems = new Set((Array.isArray(a) ? a : []).map(show));
      const newItems = new Set((Array.isArray(b) ? b : []).map(show));
      const removed = [...oldItems].filter((x) => !newItems.has(x));
      const added = [...newItems].filter((x) => !oldItems.has(x));
      const protective = PROTECTIVE_LISTS.has(key);
      if (removed.length > 0) out.push({ ...at, impact: protective ? 'weakens' : 'changes', kind: 'option', message: `${label}: ${name} no longer includes ${removed.join(', ')}` });
      if (added.length > 0) out.push({ ...at, impact: protective ? 'strengthens' : 'changes', kind: 'option', message: `${label}: ${name} now includes ${added.join(', ')}` });
      if (removed.length === 0 && added.length === 0) out.push({ ...at, impact: 'changes', kind: 'option', message: `${label}: ${name} reordered` });
      continue;
    }
    if (typeof a === 'number' && typeof b === 'number' && /(^|_)threshold$/.test(key)) {
      // A higher threshold means a detector must be more certain before it acts.
      out.push({ ...at, impact: b > a ? 'weakens' : 'strengthens', kind: 'option', message: `${label}: ${name} ${a} -> ${b} (${b > a ? 'less' : 'more'} sensitive)` });
      continue;
    }
    if (typeof a === 'boolean' && typeof b === 'boolean' && PROTECTIVE_FLAGS.has(key)) {
      out.push({ ...at, impact: b ? 'strengthens' : 'weakens', kind: 'option', message: `${label}: ${name} ${a} -> ${b}` });
      continue;
    }
    if (path === 'nonTextParts') {
      // Absent (an IR built before the option) is allow; only the request phase reads it.
      const [was, now] = [a ?? 'allow', b ?? 'allow'];
      if (was !== now && at.phase === 'request') {
        out.push({ ...at, impact: now === 'block' ? 'strengthens' : 'weakens', kind: 'option', message: `${label}: ${name} ${show(was)} -> ${show(now)} (${now === 'block' ? 'requests with image, audio or file parts are refused' : 'image, audio and file parts pass to the upstream unread'})` });
      }
      continue;
    }
    if (path === 'applyTo' && typeof a === 'string' && typeof b === 'string') {
      const [was, now] = [APPLY_TO_SIDES[a] ?? [], APPLY_TO_SIDES[b] ?? []];
      const weaker = was.some((side) => !now.includes(side));
      out.push({ ...at, impact: weaker ? 'weakens' : 'strengthens', kind: 'option', message: `${label}: ${name} ${a} -> ${b}` });
      continue;
    }
    out.push({ ...at, impact: 'changes', kind: 'option', message: `${label}: ${name} ${a === undefined ? '(unset)' : show(a)} -> ${b === undefined ? '(unset)' : show(b)}` });
  }
  return out;
}

function diffAudit(before: PolicyIr, after: PolicyIr): PackChange[] {
  const a = before.audit;
  const b = after.audit;
  if (!a && !b) return [];
  if (a && !b) return [{ impact: 'weakens', kind: 'audit', message: 'audit-logger removed: requests are no longer recorded' }];
  if (!a && b) return [{ impact: 'strengthens', kind: 'audit', src: b.src, message: 'audit-logger added' }];
  const out: PackChange[] = [];
  const at = { kind: 'audit' as const, src: b!.src };
  if (a!.immutable !== b!.immutable) out.push({ ...at, impact: b!.immutable ? 'strengthens' : 'weakens', message: `audit-logger: immutable ${a!.immutable} -> ${b!.immutable}` });
  if (a!.logAllAccess !== b!.logAllAccess) out.push({ ...at, impact: b!.logAllAccess ? 'strengthens' : 'weakens', message: `audit-logger: log_all_access ${a!.logAllAccess} -> ${b!.logAllAccess}` });
  if (a!.durable !== b!.durable) out.push({ ...at, impact: b!.durable ? 'strengthens' : 'weakens', message: `audit-logger: durable ${a!.durable} -> ${b!.durable}` });
  if ((a!.hmacKeyEnv === null) !== (b!.hmacKeyEnv === null)) {
    out.push({ ...at, impact: b!.hmacKeyEnv ? 'strengthens' : 'weakens', message: b!.hmacKeyEnv ? 'audit-logger: checkpoints are now signed (hmac_key_env)' : 'audit-logger: checkpoints are no longer signed (hmac_key_env removed)' });
  }
  if (a!.retentionDays !== b!.retentionDays) {
    out.push({ ...at, impact: b!.retentionDays < a!.retentionDays ? 'weakens' : 'strengthens', message: `audit-logger: retention_days ${a!.retentionDays} -> ${b!.retentionDays}` });
  }
  return out;
}

function diffCost(before: PolicyIr, after: PolicyIr): PackChange[] {
  const [a, b] = [before.cost, after.cost];
  if (!a && !b) return [];
  if (a && !b) return [{ impact: 'weakens', kind: 'policy', policy: 'cost-attribution', message: 'cost-attribution removed: requests are no longer attributed' }];
  if (!a && b) return [{ impact: 'strengthens', kind: 'policy', policy: 'cost-attribution', src: b.src, message: 'cost-attribution added' }];
  const out: PackChange[] = [];
  const at = { kind: 'option' as const, policy: 'cost-attribution', src: b!.src };
  if (a!.requireTags !== b!.requireTags) out.push({ ...at, impact: b!.requireTags ? 'strengthens' : 'weakens', message: `cost-attribution: require_tags ${a!.requireTags} -> ${b!.requireTags}` });
  for (const [field, name] of [['tagHeaders', 'tag_headers'], ['tagsFromBody', 'tags_from_body'], ['pricing', 'pricing']] as const) {
    if (show(a![field]) !== show(b![field])) out.push({ ...at, impact: 'changes', message: `cost-attribution: ${name} ${show(a![field])} -> ${show(b![field])}` });
  }
  return out;
}

function diffLimits(before: PolicyIr, after: PolicyIr): PackChange[] {
  const out: PackChange[] = [];
  for (const [field, name] of [['maxBodyBytes', 'size_limits.max_body_bytes'], ['maxResponseBytes', 'size_limits.max_response_bytes']] as const) {
    const [a, b] = [before.limits?.[field], after.limits?.[field]];
    if (a === b) continue;
    // No limit is the loosest limit.
    const looser = b === undefined || (a !== undefined && b > a);
    out.push({ impact: looser ? 'weakens' : 'strengthens', kind: 'option', ...(after.limits ? { src: after.limits.src } : {}), message: `${name} ${a ?? '(none)'} -> ${b ?? '(none)'}` });
  }
  return out;
}

/** A target's resolved price as a reader would write it. */
function showPrice(p: IrTarget['pricing']): string {
  if (!p) return 'unpriced';
  const usd = (v: number | null): string => (v === null ? 'unknown' : `$${v}`);
  return `input ${usd(p.inputPer1m)}, output ${usd(p.outputPer1m)}, cached input ${usd(p.cachedInputPer1m)}`;
}

function diffTargets(before: PolicyIr, after: PolicyIr): PackChange[] {
  const out: PackChange[] = [];
  const oldBy = new Map(before.targets.map((t) => [t.id, t]));
  const newBy = new Map(after.targets.map((t) => [t.id, t]));
  for (const t of before.targets) {
    if (!newBy.has(t.id)) out.push({ impact: 'weakens', kind: 'target', message: `target ${t.id} removed (one upstream fewer to serve or fall back to)` });
  }
  for (const t of after.targets) {
    const old = oldBy.get(t.id);
    if (!old) {
      out.push({ impact: 'changes', kind: 'target', src: t.src, message: `target ${t.id} added (${t.provider}${t.model ? ` ${t.model}` : ''} at ${t.baseUrl})` });
      continue;
    }
    const fields: Array<[keyof IrTarget, string]> = [['provider', 'provider'], ['model', 'model'], ['baseUrl', 'base_url'], ['secretEnv', 'secret_key_ref.env'], ['apiKeyHeader', 'api_key_header'], ['apiKeyPrefix', 'api_key_prefix']];
    for (const [field, name] of fields) {
      if (show(old[field]) === show(t[field])) continue;
      // Moving an upstream from https (or loopback) to plain http off this machine exposes prompts and the key.
      const clear = field === 'baseUrl' ? plainHttpHost(t.baseUrl) : null;
      if (clear !== null && plainHttpHost(old.baseUrl) === null) {
        out.push({ impact: 'weakens', kind: 'target', src: t.src, message: `target ${t.id}: ${name} ${show(old[field])} -> ${show(t[field])} (plain http to ${clear}: prompts and the upstream key travel unencrypted)` });
      } else {
        out.push({ impact: 'changes', kind: 'target', src: t.src, message: `target ${t.id}: ${name} ${show(old[field])} -> ${show(t[field])}` });
      }
    }
    if (showPrice(old.pricing) !== showPrice(t.pricing)) out.push({ impact: 'changes', kind: 'target', src: t.src, message: `target ${t.id}: price per 1M tokens ${showPrice(old.pricing)} -> ${showPrice(t.pricing)}` });
    for (const [field, name] of [['connectMs', 'connect_ms'], ['firstByteMs', 'first_byte_ms'], ['totalMs', 'total_ms']] as const) {
      if (old.timeouts?.[field] !== t.timeouts?.[field]) out.push({ impact: 'changes', kind: 'target', src: t.src, message: `target ${t.id}: timeouts.${name} ${old.timeouts?.[field]} -> ${t.timeouts?.[field]}` });
    }
    if (old.forwardClientKey !== t.forwardClientKey) {
      out.push({ impact: t.forwardClientKey ? 'weakens' : 'strengthens', kind: 'target', src: t.src, message: `target ${t.id}: forward_client_key ${old.forwardClientKey} -> ${t.forwardClientKey}` });
    }
  }
  const oldOrder = before.fallback.enabled ? before.fallback.order.join(', ') : 'off';
  const newOrder = after.fallback.enabled ? after.fallback.order.join(', ') : 'off';
  if (oldOrder !== newOrder) out.push({ impact: 'changes', kind: 'fallback', src: after.fallback.src, message: `fallback order: ${oldOrder} -> ${newOrder}` });
  const [oldTriggers, newTriggers] = [[...before.fallback.triggers].sort().join(', '), [...after.fallback.triggers].sort().join(', ')];
  if (oldTriggers !== newTriggers) out.push({ impact: 'changes', kind: 'fallback', src: after.fallback.src, message: `fallback triggers: ${oldTriggers || '(none)'} -> ${newTriggers || '(none)'}` });
  // Attempts are capped by the number of targets: a target added or removed is reported above, not again here.
  if (before.fallback.maxAttempts !== after.fallback.maxAttempts && before.fallback.order.length === after.fallback.order.length) out.push({ impact: 'changes', kind: 'fallback', src: after.fallback.src, message: `fallback max attempts: ${before.fallback.maxAttempts} -> ${after.fallback.maxAttempts}` });
  return out;
}
