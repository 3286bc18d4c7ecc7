// Streaming output scanner: polices SSE response fields as they flow, with a bounded hold-back window.
import { evaluate, type EvaluateEnv } from './evaluate.js';
import { createMarkerTable, type MarkerTable } from './step.js';
import type { Decision, PolicyIr, Reason, Redaction } from './types.js';

/** What the scanner lets through after a push or at the end of a field. */
export interface StreamScanResult {
  /** Text that is safe to send to the client now (already rewritten); may be empty while text is held back. */
  text: string;
  /** Set when a policy blocks the output; nothing more may be sent for this response. */
  blocked?: Reason;
  /** Redactions applied to `text` (offsets into the field's whole original text). */
  redactions: Redaction[];
}

/** Scans one streamed response. Fields are keyed, e.g. `choices[0].content` or `choices[0].tool_calls[1].function.arguments`. */
export interface StreamScanner {
  /** Feeds a delta for `field`; returns what may be emitted now. */
  push(field: string, delta: string): StreamScanResult;
  /** The field is complete (finish_reason or end of stream): flushes the held-back text. */
  end(field: string): StreamScanResult;
}

/** Options of {@link createStreamScanner}. */
export interface StreamScannerOptions {
  /** Characters held back per field so no span that must be redacted or blocked leaks (default 256). */
  holdBack?: number;
}

/** Default hold-back window: longer than any built-in entity (an e-mail address is at most 254 characters). */
export const DEFAULT_HOLD_BACK = 256;

const WINDOW_PATH = 'choices[0].message.content';

interface FieldState {
  /** The field's original text from offset `base` on: what is still held back plus the context a scan re-reads. */
  raw: string;
  /** Offset in the whole field of `raw`'s first character (earlier text was released and is no longer needed). */
  base: number;
  /** How many characters of the whole field have been released (rewritten) to the client. */
  released: number;
  /** Earlier cuts (ascending, the last one is `released`): no span straddles them, so scans may start there. */
  cuts: number[];
}

/** At least this much released text is re-read before the window, for detectors that look behind. */
const CONTEXT = 64;

/**
 * Creates a scanner for one streamed response under `ir`'s response chain.
 *
 * Each field keeps its last `holdBack` characters back. On every push the unreleased window (plus a
 * little released context) runs through the same response chain as a whole response would; text
 * before the window's tail is released with its spans rewritten, and the cut never falls inside a
 * span, so any span no longer than `holdBack` is fully known before its first character could be
 * released. A block stops the whole response. Markers come from `env.markers` (shared with the
 * request phase), so a value keeps its marker across chunks, fields and phases. Tool-call argument
 * fields are scanned as raw JSON text (the partial JSON cannot be parsed); markers contain no quotes
 * or backslashes, so rewritten arguments stay valid JSON.
 */
export function createStreamScanner(ir: PolicyIr, env: EvaluateEnv = {}, options: StreamScannerOptions = {}): StreamScanner {
  const markers = env.markers ?? createMarkerTable();
  // A hold-back that is not a number (NaN, a string from a config file) must not turn the window off.
  const holdBack = typeof options.holdBack === 'number' && Number.isFinite(options.holdBack) ? Math.max(0, Math.floor(options.holdBack)) : DEFAULT_HOLD_BACK;
  const passThrough = !ir.pack.enabled || ir.response.length === 0;
  const fields = new Map<string, FieldState>();
  let blocked: Reason | undefined;

  const run = (text: string, table: MarkerTable) =>
    evaluate(ir, { phase: 'response', response: { choices: [{ index: 0, message: { role: 'assistant', content: text } }] } }, { ...env, markers: table });
  const spansOf = (d: Decision, offset: number) =>
    d.redactions
      .filter((r) => r.path === WINDOW_PATH)
      .map((r) => ({ ...r, start: r.start + offset, end: r.end + offset }))
      .sort((a, b) => a.start - b.start || b.end - a.end);

  const advance = (field: string, st: FieldState, final: boolean): StreamScanResult => {
    // Offsets below are into the whole field; `st.raw` holds it from `st.base` on.
    const slice = (start: number, end = total(st)): string => st.raw.slice(start - st.base, end - st.base);
    // Re-read at least CONTEXT released characters for look-behinds, starting at an earlier cut: no
    // span straddles it, so spans re-detected there are the same values with the same markers.
    const from = contextStart(st);
    // Pass 1 on a scratch marker table: spans in the held tail may still grow or vanish, and
    // must not consume marker numbers.
    const probe = run(slice(from), cloneMarkers(markers));
    if (probe.verdict === 'block') {
      blocked = probe.reasons[probe.reasons.length - 1];
      return { text: '', blocked, redactions: [] };
    }
    let cut = total(st);
    if (!final) {
      cut -= holdBack;
      // Prefer cutting after whitespace, so the released prefix reads exactly as it will in the whole
      // text; never split a surrogate pair. Both only move the cut earlier, before the span check.
      const ws = lastWhitespace(st.raw, st.released - st.base, cut - st.base) + st.base;
      if (ws > st.released) cut = ws;
      if (cut > st.base && isHighSurrogate(st.raw.charCodeAt(cut - 1 - st.base))) cut--;
      // Never cut inside a span: move back to its start until no span straddles the cut.
      const spans = spansOf(probe, from);
      for (let moved = true; moved; ) {
        moved = false;
        for (const s of spans) {
          if (s.start < cut && s.end > cut) {
            cut = s.start;
            moved = true;
          }
        }
      }
    }
    if (cut <= st.released) return { text: '', redactions: [] };
    const probeSpans = spansOf(probe, from);
    if (!probeSpans.some((s) => s.start < cut && s.end > st.released)) {
      // Nothing to rewrite before the cut (the common case): release the raw text as is.
      const text = slice(st.released, cut);
      release(st, cut);
      return { text, redactions: [] };
    }
    // Pass 2 on exactly the released prefix. It numbers markers on a scratch table first: a value
    // seen only in the re-read context (a detector judging a fragment differently) must not take a
    // number. Without such ghosts the scratch numbering is adopted; with them, the prefix is scanned
    // again without context, on the real table.
    const scratch = cloneMarkers(markers);
    let d = run(slice(from, cut), scratch);
    const before = markers.byValue.size;
    const releasedValues = new Set(
      spansOf(d, from)
        .filter((s) => s.start >= st.released && s.start < cut)
        .map((s) => s.marker),
    );
    const added = [...scratch.byValue].slice(before);
    if (added.every(([, marker]) => releasedValues.has(marker))) {
      for (const [k, v] of added) markers.byValue.set(k, v);
      for (const [k, v] of scratch.counters) markers.counters.set(k, v);
    } else {
      d = run(slice(st.released, cut), markers);
      d = { ...d, redactions: d.redactions.map((r) => ({ ...r, start: r.start + st.released - from, end: r.end + st.released - from })) };
    }
    if (d.verdict === 'block') {
      blocked = d.reasons[d.reasons.length - 1];
      return { text: '', blocked, redactions: [] };
    }
    let text = '';
    let pos = st.released;
    const released: Redaction[] = [];
    for (const s of spansOf(d, from)) {
      if (s.end <= st.released || s.start >= cut) continue;
      // A span reaching back into released text cannot be recalled; still mask the rest of it.
      if (s.start >= pos || (pos === st.released && s.start < pos)) text += slice(pos, Math.max(pos, s.start)) + s.marker;
      pos = Math.max(pos, s.end);
      released.push({ ...s, path: field });
    }
    text += slice(pos, cut);
    release(st, cut);
    return { text, redactions: released };
  };

  return {
    push(field, delta) {
      if (blocked) return { text: '', blocked, redactions: [] };
      if (passThrough) return { text: delta, redactions: [] };
      let st = fields.get(field);
      if (!st) fields.set(field, (st = { raw: '', base: 0, released: 0, cuts: [0] }));
      st.raw += delta;
      if (total(st) - st.released <= holdBack) return { text: '', redactions: [] };
      return advance(field, st, false);
    },
    end(field) {
      if (blocked) return { text: '', blocked, redactions: [] };
      if (passThrough) return { text: '', redactions: [] };
      const st = fields.get(field);
      if (!st) return { text: '', redactions: [] };
      fields.delete(field);
      return advance(field, st, true);
    },
  };
}

function cloneMarkers(m: MarkerTable): MarkerTable {
  return { byValue: new Map(m.byValue), counters: new Map(m.counters) };
}

/** The latest earlier cut at least CONTEXT characters before the released end (or 0). */
function contextStart(st: FieldState): number {
  for (let i = st.cuts.length - 1; i >= 0; i--) if (st.cuts[i] <= st.released - CONTEXT) return st.cuts[i];
  return st.cuts[0];
}

/** Length of the whole field received so far. */
function total(st: FieldState): number {
  return st.base + st.raw.length;
}

/**
 * Records a release up to `cut`, keeping only the cuts that may still serve as a context start, and only the
 * text from the earliest of them on: memory and work per push stay bounded however long the stream runs.
 */
function release(st: FieldState, cut: number): void {
  st.released = cut;
  st.cuts.push(cut);
  const start = contextStart(st);
  const keep = st.cuts.indexOf(start);
  if (keep > 0) st.cuts.splice(0, keep);
  if (start > st.base) {
    st.raw = st.raw.slice(start - st.base);
    st.base = start;
  }
}

/** Index just after the last whitespace character in [from, to), or -1. */
function lastWhitespace(text: string, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) return i + 1;
  }
  return -1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
