// OpenAI-shaped error bodies, so the official SDKs raise the right error classes.
import { findPii } from '../runtime/detectors/pii.js';

/** An OpenAI-style error envelope. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null; policy?: string };
}

/** Builds `{"error": {...}}`. */
export function openAiError(message: string, type: string, code: string | null, extra: { param?: string | null; policy?: string } = {}): OpenAiErrorBody {
  return {
    error: {
      message,
      type,
      code,
      param: extra.param ?? null,
      ...(extra.policy !== undefined ? { policy: extra.policy } : {}),
    },
  };
}

/**
 * Removes anything that looks like a credential from text passed on from an upstream: first the exact
 * `known` values (the keys the gateway sent, whatever their format), then common key shapes.
 */
export function scrubSecrets(text: string, known: readonly string[] = []): string {
  for (const k of known) if (k.length >= 8) text = text.split(k).join('***');
  text = text
    .replace(/\b(?:sk|rk|pk)-(?:proj-|live-|test-)?[A-Za-z0-9_-]{8,}/g, (m) => `${m.slice(0, 3)}***`)
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, 'Bearer ***')
    .replace(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '***');
  // Then every other credential shape the pii-detector knows (GitHub, Slack, Google, Stripe, JWTs, private keys, …).
  const spans = findPii(text, ['API_KEY']);
  for (let i = spans.length - 1; i >= 0; i--) text = `${text.slice(0, spans[i].start)}***${text.slice(spans[i].end)}`;
  return text;
}
