// The evaluator: runs the IR's request or response chain over an OpenAI-shaped input.
import { runKind } from './kinds/index.js';
import { composeSegments, toOriginal, type Replacement, type Segment } from './offset-map.js';
import { createMarkerTable, type MarkerTable, type StepView } from './step.js';
import { cloneAlong, requestSlots, responseSlots, type NonTextPart, type TextSlot } from './text-slots.js';
import type { ChatRequest, ChatResponse, Decision, EvalEnv, PolicyIr, PolicyResult, Reason, Redaction } from './types.js';

/** Input to {@link evaluate}. */
export type EvalInput = { phase: 'request'; request: ChatRequest } | { phase: 'response'; response: ChatResponse };

/** Environment plus optional per-request state shared between the request and response phases. */
export interface EvaluateEnv extends EvalEnv {
  markers?: MarkerTable;
}

/**
 * Runs the chain for `input.phase` and returns the decision. Pure: never mutates `input`,
 * never logs; a rewritten request or response is a fresh object.
 *
 * `redactions[].start/end` always index the ORIGINAL text at `path` (before any policy ran),
 * even when several transform policies run in a row: a later policy's span is mapped back
 * through the earlier rewrites, and a span touching an earlier marker widens to the whole
 * original text that marker replaced. `marker` is the text the span was replaced with.
 */
export function evaluate(ir: PolicyIr, input: EvalInput, env: EvaluateEnv = {}): Decision {
  const original: ChatRequest | ChatResponse = input.phase === 'request' ? input.request : input.response;
  const steps = input.phase === 'request' ? ir.request : ir.response;
  if (steps.length === 0 || !ir.pack.enabled) {
    // Nothing to run: skip collecting the text slots.
    const allow: Decision = { verdict: 'allow', reasons: [], policies: [], redactions: [] };
    if (input.phase === 'request') allow.request = input.request;
    else allow.response = input.response;
    return allow;
  }
  const nonTextParts: NonTextPart[] = [];
  const slots: TextSlot[] =
    input.phase === 'request' ? requestSlots(input.request, nonTextParts) : responseSlots(input.response);
  const view: StepView = { phase: input.phase, slots, nonTextParts, markers: env.markers ?? createMarkerTable(), env };
  const reasons: Reason[] = [];
  const policies: PolicyResult[] = [];
  const redactions: Redaction[] = [];
  const changed = new Set<number>();
  // Per slot: how the current text maps back to the original (empty until a transform touches it).
  const segments: Segment[][] = slots.map(() => []);
  let verdict: Decision['verdict'] = 'allow';

  for (const node of steps) {
    const kind = runKind(node.kind);
    if (!kind) throw new Error(`ktpack runtime: unknown policy kind "${node.kind}" in IR`);
    const out = kind.step(node, view);
    if (out.type === 'continue') {
      policies.push({ policy: node.policy, kind: node.kind, outcome: 'allow', ...(out.score !== undefined ? { score: out.score } : {}) });
      continue;
    }
    reasons.push({ policy: node.policy, code: out.code, message: out.message, src: node.src });
    if (out.type === 'block') {
      policies.push({ policy: node.policy, kind: node.kind, outcome: 'block', code: out.code, ...(out.score !== undefined ? { score: out.score } : {}) });
      verdict = 'block';
      if (env.evaluateAll) continue;
      break;
    }
    if (out.type === 'warn') {
      policies.push({ policy: node.policy, kind: node.kind, outcome: 'warn', code: out.code, ...(out.score !== undefined ? { score: out.score } : {}) });
      continue;
    }
    policies.push({ policy: node.policy, kind: node.kind, outcome: 'redact', code: out.code });
    for (const [i, text] of out.edits) {
      const own = out.redactions.filter((r) => r.path === slots[i].path).sort((a, b) => a.start - b.start);
      redactions.push(...own.map((r) => ({ ...r, start: toOriginal(segments[i], r.start, 'start'), end: toOriginal(segments[i], r.end, 'end') })));
      segments[i] = composeSegments(segments[i], replacementsFor(slots[i].text, text, own));
      slots[i] = { ...slots[i], text };
      changed.add(i);
    }
    const edited = new Set([...out.edits.keys()].map((i) => slots[i].path));
    redactions.push(...out.redactions.filter((r) => !edited.has(r.path)));
    if (verdict !== 'block') verdict = 'redact';
  }

  const decision: Decision = { verdict, reasons, policies, redactions };
  if (verdict === 'block') return decision;
  let result = original;
  if (changed.size > 0) {
    const edited = [...changed].sort((a, b) => a - b).map((i) => slots[i]);
    result = cloneAlong(original, edited.map((s) => s.at));
    for (const slot of edited) slot.apply(result, slot.text);
  }
  if (input.phase === 'request') decision.request = result as ChatRequest;
  else decision.response = result as ChatResponse;
  return decision;
}

/** The replacements a transform made in `before`; the whole text if its redactions do not explain `after`. */
function replacementsFor(before: string, after: string, own: readonly Redaction[]): Replacement[] {
  let rebuilt = '';
  let last = 0;
  const out: Replacement[] = [];
  for (const r of own) {
    if (r.start < last) break;
    rebuilt += before.slice(last, r.start) + r.marker;
    out.push({ start: r.start, end: r.end, length: r.marker.length });
    last = r.end;
  }
  rebuilt += before.slice(last);
  return rebuilt === after ? out : [{ start: 0, end: before.length, length: after.length }];
}
