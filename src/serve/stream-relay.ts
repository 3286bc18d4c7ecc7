// Polices one OpenAI chat completion SSE stream chunk by chunk: hold-back scanning, usage capture, error events.
import type { StreamScanner } from '../runtime/stream-scanner.js';
import type { Reason, Redaction } from '../runtime/types.js';
import { sseEvent } from './sse.js';
import type { Usage } from './cost.js';

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
}

/** The scanner threw (a policy evaluation error). */
export class StreamPolicyError extends Error {}

type Delta = { role?: string; content?: string | null; refusal?: string | null; tool_calls?: ToolDelta[]; [k: string]: unknown };
type ToolDelta = { index?: number; id?: string; type?: string; function?: { name?: string; arguments?: string } };
type Choice = { index?: number; delta?: Delta; finish_reason?: string | null; [k: string]: unknown };
type Chunk = { choices?: Choice[]; usage?: Usage | null; [k: string]: unknown };

const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/** Turns upstream SSE payloads into client events under the response chain. */
export class StreamRelay {
  /** Usage reported by the upstream (the gateway always asks for it). */
  usage: Usage | null = null;
  /** Redactions applied so far (never the values). */
  readonly redactions: Redaction[] = [];
  /** Model the upstream reported. */
  model: string | null = null;
  /** Set once an event with client-visible content was produced. */
  visible = false;
  /** In report-only mode: the block that would have stopped the stream. */
  reportedBlock?: Reason;
  /** Set when the scanner failed and --fail-mode allow let the stream continue unscanned. */
  failedOpen = false;
  private readonly open = new Map<number, Set<string>>();
  /** Per field: raw text pushed, and the raw length already released (for fail-open recovery). */
  private readonly raw = new Map<string, { text: string; released: number }>();
  private base: Record<string, unknown> = {};

  constructor(private readonly options: StreamRelayOptions) {}

  /** Handles one `data:` payload. Throws {@link StreamProtocolError} on a payload that is not JSON. */
  handle(payload: string): RelayStep {
    if (payload.trim() === '[DONE]') return { ...this.finish(), done: true };
    // Fast path: without response policies only usage chunks need parsing.
    if (!this.options.scanner && !USAGE_OBJECT.test(payload) && this.visible) return { out: [sseEvent(payload)] };
    let chunk: Chunk;
    try {
      chunk = JSON.parse(payload) as Chunk;
    } catch {
      throw new StreamProtocolError('upstream sent an SSE event that is not valid JSON');
    }
    if (!chunk || typeof chunk !== 'object') throw new StreamProtocolError('upstream sent an SSE event that is not a JSON object');
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
      let keep = delta.role !== undefined || Boolean(c.finish_reason);
      for (const key of ['content', 'refusal'] as const) {
        const text = delta[key];
        if (typeof text !== 'string' || text === '') continue;
        const r = this.scan(idx, `choices[${idx}].${key}`, text);
        if (r.blocked) return { out, blocked: r.blocked };
        delta[key] = r.text;
        if (r.text) keep = true;
      }
      if (Array.isArray(delta.tool_calls)) {
        for (let k = 0; k < delta.tool_calls.length; k++) {
          const tc = delta.tool_calls[k];
          const args = tc.function?.arguments;
          if (typeof args === 'string' && args !== '') {
            const r = this.scan(idx, `choices[${idx}].tool_calls[${tc.index ?? k}].function.arguments`, args);
            if (r.blocked) return { out, blocked: r.blocked };
            tc.function!.arguments = r.text;
          }
        }
        keep = true;
      }
      if (c.finish_reason) {
        const flushed = this.endChoice(idx);
        if (flushed.blocked) return { out, blocked: flushed.blocked };
        out.push(...flushed.out);
      }
      if (keep) kept.push(c);
    }
    if (choices.length > 0 && kept.length === 0) return { out };
    if (choices.length === 0 && !chunk.usage) return { out };
    chunk.choices = kept;
    if (kept.some((c) => c.delta?.content || c.delta?.tool_calls || c.delta?.refusal || c.finish_reason)) this.visible = true;
    out.push(sseEvent(JSON.stringify(chunk)));
    return { out };
  }

  /** Flushes every field still held back (end of stream without finish_reason, or [DONE]). */
  finish(): RelayStep {
    const out: string[] = [];
    for (const idx of [...this.open.keys()]) {
      const r = this.endChoice(idx);
      if (r.blocked) return { out, blocked: r.blocked };
      out.push(...r.out);
    }
    return { out };
  }

  private scan(idx: number, field: string, text: string): { text: string; blocked?: Reason } {
    const scanner = this.options.scanner;
    if (!scanner || this.failedOpen) return { text };
    let fields = this.open.get(idx);
    if (!fields) this.open.set(idx, (fields = new Set()));
    fields.add(field);
    let raw = this.raw.get(field);
    if (!raw) this.raw.set(field, (raw = { text: '', released: 0 }));
    raw.text += text;
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
    this.redactions.push(...r.redactions);
    return { text: this.options.reportOnly ? text : r.text };
  }

  /** Records how much raw text a scanner answer released: its length minus what markers added. */
  private track(field: string, out: string, redactions: Redaction[]): void {
    const raw = this.raw.get(field);
    if (!raw) return;
    let grown = 0;
    for (const x of redactions) grown += x.marker.length - (x.end - x.start);
    raw.released = Math.min(raw.text.length, Math.max(raw.released, raw.released + out.length - grown));
  }

  /** Fail-open: the raw text of `field` the scanner still held back. */
  private unreleased(field: string): string {
    const raw = this.raw.get(field);
    if (!raw) return '';
    const rest = raw.text.slice(raw.released);
    raw.released = raw.text.length;
    return rest;
  }

  /** Handles a scanner error: true when the stream may continue unscanned (fail-mode allow). */
  private failOpen(e: unknown): boolean {
    if (!this.options.failOpen) throw new StreamPolicyError((e as Error)?.message ?? 'policy evaluation failed');
    this.failedOpen = true;
    return true;
  }

  private endChoice(idx: number): RelayStep {
    const fields = this.open.get(idx);
    this.open.delete(idx);
    const out: string[] = [];
    if (!fields || !this.options.scanner) return { out };
    for (const field of fields) {
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
        if (r.blocked && !this.options.reportOnly) return { out, blocked: r.blocked };
        if (r.blocked) this.reportedBlock ??= r.blocked;
        this.redactions.push(...r.redactions);
        text = r.text;
      }
      if (this.options.reportOnly || !text) continue;
      const tool = /\.tool_calls\[(\d+)\]\.function\.arguments$/.exec(field);
      const key = field.endsWith('.refusal') ? 'refusal' : 'content';
      const delta = tool ? { tool_calls: [{ index: Number(tool[1]), function: { arguments: text } }] } : { [key]: text };
      out.push(sseEvent(JSON.stringify({ ...this.base, choices: [{ index: idx, delta, logprobs: null, finish_reason: null }] })));
      this.visible = true;
    }
    return { out };
  }
}
