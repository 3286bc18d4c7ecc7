// Streaming output scanner: the contract the proxy uses to police SSE responses as they flow.
import { evaluate, type EvaluateEnv } from './evaluate.js';
import { createMarkerTable } from './step.js';
import type { PolicyIr, Reason, Redaction } from './types.js';

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

/**
 * Creates a scanner for one streamed response under `ir`'s response chain.
 * This first implementation holds each field back until it ends and evaluates it whole:
 * correct (nothing unsafe leaks) but not incremental. The bounded window replaces it.
 */
export function createStreamScanner(ir: PolicyIr, env: EvaluateEnv = {}, _options: StreamScannerOptions = {}): StreamScanner {
  const markers = env.markers ?? createMarkerTable();
  const pending = new Map<string, string>();
  let blocked: Reason | undefined;
  return {
    push(field, delta) {
      if (blocked) return { text: '', blocked, redactions: [] };
      pending.set(field, (pending.get(field) ?? '') + delta);
      return { text: '', redactions: [] };
    },
    end(field) {
      if (blocked) return { text: '', blocked, redactions: [] };
      const text = pending.get(field) ?? '';
      pending.delete(field);
      const d = evaluate(ir, { phase: 'response', response: { choices: [{ index: 0, message: { role: 'assistant', content: text } }] } }, { ...env, markers });
      if (d.verdict === 'block') {
        blocked = d.reasons[d.reasons.length - 1];
        return { text: '', blocked, redactions: [] };
      }
      const out = d.response!.choices[0].message!.content as string;
      return { text: out, redactions: d.redactions.map((r) => ({ ...r, path: field })) };
    },
  };
}
