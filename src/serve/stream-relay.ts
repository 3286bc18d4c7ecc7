// Polices one OpenAI chat completion SSE stream chunk by chunk: hold-back scanning, usage capture, error events.
import type { StreamScanner } from '../runtime/stream-scanner.js';
import type { Reason, Redaction } from '../runtime/types.js';
import { sseEvent } from './sse.js';
import type { Usage } from './cost.js';
import { UpstreamError } from './upstream.js';

/** A chunk the upstream sent that is not valid JSON. */
export class StreamProtocolError extends Error {}

/** What one upstream event turned into. */
export interface RelayStep {
  /** SSE events to send to the client, in order. */
  out: string[];
  /** A policy blocked the output: send nothing more. */
  blocked?: Reason;
  /** The upstream sent `[DONE]`. */
  done?: boolean;
}

/** Options of {@link StreamRelay}. */
export interface StreamRelayOptions {
  /** The scanner of the response chain, or undefined when the pack has no response policies. */
  scanner?: StreamScanner;
  /** The client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Evaluate and record, but pass the original text through. */
  reportOnly: boolean;
  /** --fail-mode allow: when the scanner throws, pass the rest of the stream through unscanned. */
  failOpen?: boolean;
  /** The chain redacts or blocks answers: drop logprobs and delta fields it does not check. */
  dropUnpoliced?: boolean;
}

/** The scanner threw (a policy evaluation error). */
export class StreamPolicyError extends Error {}

type Delta = { role?: string; content?: string | null; refusal?: string | null; tool_calls?: ToolDelta[]; function_call?: { name?: string; arguments?: string }; [k: string]: unknown };
type ToolDelta = { index?: number; id?: string; type?: string; function?: { name?: string; arguments?: string } };
type Choice = { index?: number; delta?: Delta; finish_reason?: string | null; [k: string]: unknown };
type Chunk = { choices?: Choice[]; usage?: Usage | null; [k: string]: unknown };

/** Payloads the fast path must parse: a usage object, or an upstream `{"error": {...}}` event. */
const USAGE_OR_ERROR = /"(?:usage|error)"\s*:\s*\{/;
const TOOL_FIELD = /\.tool_calls\[(\d+)\]\.function\.arguments$/;
const FUNCTION_FIELD = '.function_call.arguments';
/** Delta fields the response chain polices (or that carry no text); under a scanner every other one is dropped. */
const POLICED_DELTA_KEYS = new Set(['role', 'content', 'refusal', 'tool_calls', 'function_call']);

/** Why a stream whose upstream interleaves parallel call arguments is stopped (see StreamRelay.scan). */
const INTERLEAVED: Reason = {
  policy: 'ktpack',
  code: 'stream.interleaved_arguments',
  message: 'Response stopped: the upstream interleaved the arguments of parallel calls, which cannot be checked safely.',
  src: { file: '', path: '', line: 0 },
};

/** True when a choice carries something for the client beyond its role: text, a call, other fields, a finish. */
function carries(c: Choice): boolean {
  if (c.finish_reason) return true;
  const d = c.delta;
  if (!d) return false;
  for (const k in d) if (k !== 'role' && d[k] !== undefined && d[k] !== null && d[k] !== '') return true;
  return false;
}

type Flushed = { parts: Array<{ field: string; text: string }>; blocked?: Reason };

/** Turns upstream SSE payloads into client events under the response chain. */
export class StreamRelay {
  /** Usage reported by the upstream (the gateway always asks for it). */
  usage: Usage | null = null;
  /** Redactions applied so far, counted by entity (never the values; a count, so memory does not grow with the stream). */
  readonly redactionCounts: Record<string, number> = {};
  /** Policies that redacted something. */
  readonly redactingPolicies = new Set<string>();
  /** Set once anything was redacted. */
  redacted = false;
  /** Model the upstream reported. */
  model: string | null = null;
  /** Set once an event with client-visible content was produced. */
  visible = false;
  /** In report-only mode: the block that would have stopped the stream. */
  reportedBlock?: Reason;
  /** Set when the scanner failed and --fail-mode allow let the stream continue unscanned. */
  failedOpen = false;
  private readonly open = new Map<number, Set<string>>();
  /** Call-argument fields already ended (their held-back tail released) when the next call began. */
  private readonly endedCalls = new Set<string>();
  /** Fail-open only, per field: the raw text the scanner has not released yet (passed on if it fails). */
  private readonly raw = new Map<string, { text: string }>();
  private base: Record<string, unknown> = {};

  constructor(private readonly options: StreamRelayOptions) {}

  /** Handles one `data:` payload. Throws {@link StreamProtocolError} on a payload that is not JSON. */
  handle(payload: string): RelayStep {
    if (payload.trim() === '[DONE]') return { ...this.finish(), done: true };
    // Fast path: without response policies only usage chunks need parsing.
    if (!this.options.scanner && !USAGE_OR_ERROR.test(payload) && this.visible) return { out: [sseEvent(payload)] };
    let chunk: Chunk;
    try {
      chunk = JSON.parse(payload) as Chunk;
    } catch {
      throw new StreamProtocolError('upstream sent an SSE event that is not valid JSON');
    }
    if (!chunk || typeof chunk !== 'object') throw new StreamProtocolError('upstream sent an SSE event that is not a JSON object');
    // OpenAI reports a failure mid-stream as `data: {"error": {...}}`: the answer is incomplete (fallback
    // before the first byte, an error event and no [DONE] after it). Its text is never passed on.
    if (chunk.error && typeof chunk.error === 'object' && !Array.isArray(chunk.choices)) throw new UpstreamError('connection_error', 'upstream_error_event');
    if (typeof chunk.model === 'string') this.model = chunk.model;
    this.base = { id: chunk.id, object: chunk.object ?? 'chat.completion.chunk', created: chunk.created, model: chunk.model, ...(chunk.system_fingerprint !== undefined ? { system_fingerprint: chunk.system_fingerprint } : {}) };
    const out: string[] = [];
    if (chunk.usage && typeof chunk.usage === 'object') this.usage = chunk.usage;
    if (!this.options.includeUsage && 'usage' in chunk) delete chunk.usage;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const kept: Choice[] = [];
    for (const c of choices) {
      const idx = typeof c.index === 'number' ? c.index : 0;
      const delta = (c.delta ?? {}) as Delta;
      if (this.options.dropUnpoliced) {
        // Text the response chain cannot police never passes: token logprobs spell out the raw answer, and delta
        // fields it does not know (a vendor's reasoning_content, an audio transcript) are not scanned.
        if (c.logprobs != null) c.logprobs = null;
        for (const k of Object.keys(delta)) if (!POLICED_DELTA_KEYS.has(k)) delete delta[k];
      }
      // Anything but text is passed on as it came (role, calls, fields nobody polices without a scanner).
      let keep = Boolean(c.finish_reason) || c.logprobs != null || Object.keys(delta).some((k) => k !== 'content' && k !== 'refusal' && delta[k] !== undefined);
      /** Fields this delta carries text for: a tail ended while handling it belongs inside it, after that text. */
      const touched = new Set<string>();
      for (const key of ['content', 'refusal'] as const) {
        const text = delta[key];
        if (typeof text !== 'string' || text === '') continue;
        touched.add(`choices[${idx}].${key}`);
        const r = this.scan(idx, `choices[${idx}].${key}`, text);
        if (r.blocked) return { out, blocked: r.blocked };
        delta[key] = r.text;
        if (r.text) keep = true;
      }
      if (Array.isArray(delta.tool_calls)) {
        for (let k = 0; k < delta.tool_calls.length; k++) {
          const tc = delta.tool_calls[k];
          const args = tc.function?.arguments;
          const field = `choices[${idx}].tool_calls[${tc.index ?? k}].function.arguments`;
          // A choice streams its fields one after another: a new tool call means the content and the earlier
          // tool calls are complete, so their held-back tails go out first (the SDK marks them done here).
          const ended = this.endFields(idx, field);
          if (ended.blocked) return { out, blocked: ended.blocked };
          for (const p of ended.parts) {
            if (touched.has(p.field)) mergeInto(delta, p);
            else out.push(this.eventOf(idx, p));
          }
          if (typeof args === 'string' && args !== '') {
            touched.add(field);
            const r = this.scan(idx, field, args);
            if (r.blocked) return { out, blocked: r.blocked };
            tc.function!.arguments = r.text;
          }
        }
        keep = true;
      }
      if (delta.function_call && typeof delta.function_call === 'object') {
        // The legacy `functions` API streams one call per choice, like a tool call.
        const field = `choices[${idx}].function_call.arguments`;
        const ended = this.endFields(idx, field);
        if (ended.blocked) return { out, blocked: ended.blocked };
        for (const p of ended.parts) {
          if (touched.has(p.field)) mergeInto(delta, p);
          else out.push(this.eventOf(idx, p));
        }
        const args = delta.function_call.arguments;
        if (typeof args === 'string' && args !== '') {
          touched.add(field);
          const r = this.scan(idx, field, args);
          if (r.blocked) return { out, blocked: r.blocked };
          delta.function_call.arguments = r.text;
        }
        keep = true;
      }
      if (c.finish_reason) {
        const flushed = this.endFields(idx);
        if (flushed.blocked) return { out, blocked: flushed.blocked };
        // The held-back tail joins this chunk, after the text it released and before its finish_reason.
        for (const p of flushed.parts) mergeInto(delta, p);
        if (flushed.parts.length > 0) {
          c.delta = delta;
          keep = true;
        }
      }
      if (keep) kept.push(c);
    }
    if (choices.length > 0 && kept.length === 0) return { out };
    if (choices.length === 0 && !chunk.usage) return { out };
    chunk.choices = kept;
    if (kept.some(carries)) this.visible = true;
    out.push(sseEvent(JSON.stringify(chunk)));
    return { out };
  }

  /** Flushes every field still held back (end of stream without finish_reason, or [DONE]). */
  finish(): RelayStep {
    const out: string[] = [];
    for (const idx of [...this.open.keys()]) {
      const r = this.endFields(idx);
      for (const p of r.parts) out.push(this.eventOf(idx, p));
      if (r.blocked) return { out, blocked: r.blocked };
    }
    return { out };
  }

  private scan(idx: number, field: string, text: string): { text: string; blocked?: Reason } {
    const scanner = this.options.scanner;
    if (!scanner || this.failedOpen) return { text };
    if (this.endedCalls.has(field) && !this.options.reportOnly) {
      // The upstream interleaves parallel calls' arguments: the tail released when the next call began may have
      // ended inside a span whose rest is here. Passing more could complete it on the client, so the answer stops.
      return { text: '', blocked: INTERLEAVED };
    }
    let fields = this.open.get(idx);
    if (!fields) this.open.set(idx, (fields = new Set()));
    fields.add(field);
    if (this.options.failOpen) {
      const raw = this.raw.get(field);
      if (raw) raw.text += text;
      else this.raw.set(field, { text });
    }
    let r;
    try {
      r = scanner.push(field, text);
    } catch (e) {
      return { text: this.failOpen(e) ? this.unreleased(field) : '' };
    }
    if (r.blocked) {
      if (!this.options.reportOnly) return { text: '', blocked: r.blocked };
      this.reportedBlock ??= r.blocked;
      return { text };
    }
    this.track(field, r.text, r.redactions);
    this.count(r.redactions);
    return { text: this.options.reportOnly ? text : r.text };
  }

  private count(redactions: readonly Redaction[]): void {
    for (const x of redactions) {
      this.redactionCounts[x.entity] = (this.redactionCounts[x.entity] ?? 0) + 1;
      this.redactingPolicies.add(x.policy);
      this.redacted = true;
    }
  }

  /** Drops the raw text a scanner answer released (its length minus what markers added): only the held-back rest is kept. */
  private track(field: string, out: string, redactions: Redaction[]): void {
    const raw = this.raw.get(field);
    if (!raw) return;
    let grown = 0;
    for (const x of redactions) grown += x.marker.length - (x.end - x.start);
    const released = out.length - grown;
    if (released > 0) raw.text = raw.text.slice(Math.min(raw.text.length, released));
  }

  /** Fail-open: the raw text of `field` the scanner still held back. */
  private unreleased(field: string): string {
    const raw = this.raw.get(field);
    if (!raw) return '';
    const rest = raw.text;
    raw.text = '';
    return rest;
  }

  /** Handles a scanner error: true when the stream may continue unscanned (fail-mode allow). */
  private failOpen(e: unknown): boolean {
    if (!this.options.failOpen) throw new StreamPolicyError((e as Error)?.message ?? 'policy evaluation failed');
    this.failedOpen = true;
    return true;
  }

  /** Ends the open fields of choice `idx` (all but `except`): their held-back text, in field order. */
  private endFields(idx: number, except?: string): Flushed {
    const fields = this.open.get(idx);
    const parts: Flushed['parts'] = [];
    if (!fields || !this.options.scanner || (except !== undefined && fields.size === 1 && fields.has(except))) return { parts };
    for (const field of [...fields]) {
      if (field === except) continue;
      fields.delete(field);
      if (except !== undefined && field !== `choices[${idx}].content` && field !== `choices[${idx}].refusal`) this.endedCalls.add(field);
      let text: string;
      if (this.failedOpen) text = this.unreleased(field);
      else {
        let r;
        try {
          r = this.options.scanner.end(field);
        } catch (e) {
          this.failOpen(e);
          r = { text: this.unreleased(field), redactions: [] };
        }
        if (r.blocked && !this.options.reportOnly) return { parts, blocked: r.blocked };
        if (r.blocked) this.reportedBlock ??= r.blocked;
        this.count(r.redactions);
        text = r.text;
      }
      if (this.options.reportOnly || !text) continue;
      parts.push({ field, text });
    }
    if (fields.size === 0) this.open.delete(idx);
    return { parts };
  }

  /** A chunk carrying one field's flushed text. */
  private eventOf(idx: number, part: Flushed['parts'][number]): string {
    const delta: Delta = {};
    mergeInto(delta, part);
    this.visible = true;
    return sseEvent(JSON.stringify({ ...this.base, choices: [{ index: idx, delta, logprobs: null, finish_reason: null }] }));
  }
}

/** Appends a field's text to a delta: content or refusal, or the arguments of the tool call with that index. */
function mergeInto(delta: Delta, part: Flushed['parts'][number]): void {
  if (part.field.endsWith(FUNCTION_FIELD)) {
    const call = (delta.function_call ??= {});
    call.arguments = (call.arguments ?? '') + part.text;
    return;
  }
  const tool = TOOL_FIELD.exec(part.field);
  if (!tool) {
    const key = part.field.endsWith('.refusal') ? 'refusal' : 'content';
    delta[key] = (typeof delta[key] === 'string' ? delta[key] : '') + part.text;
    return;
  }
  const index = Number(tool[1]);
  const calls = (delta.tool_calls ??= []);
  const call = calls.find((t, k) => (t.index ?? k) === index);
  if (!call) calls.push({ index, function: { arguments: part.text } });
  else {
    call.function ??= {};
    call.function.arguments = (call.function.arguments ?? '') + part.text;
  }

}
