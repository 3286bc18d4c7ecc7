// Types of the IR (policy.ir.json) and of the evaluator's input and output; shared by compiler, runtime and proxy.

/** Current IR format version. */
export const IR_VERSION = 1 as const;

/** Where an IR node came from in the pack. */
export interface SourceRef {
  file: string;
  /** Dotted JSON path, e.g. `policy.pii-detector`. */
  path: string;
  line: number;
}

/** What a policy does when it fires. */
export type PolicyAction = 'block' | 'redact' | 'warn' | 'log';

/** One compiled policy step. `options` are fully resolved (defaults filled in). */
export interface IrStep {
  /** Policy name as it appears in the chain. */
  policy: string;
  /** Kind id (equals the policy name for built-in kinds). */
  kind: string;
  action: PolicyAction;
  options: Record<string, unknown>;
  src: SourceRef;
}

/** One upstream target. */
export interface IrTarget {
  id: string;
  provider: string;
  /** Model sent upstream; null passes the client's model through. */
  model: string | null;
  baseUrl: string;
  /** Env var holding the upstream key, or null. */
  secretEnv: string | null;
  /** Forward the client's own Authorization header upstream (off unless the target opts in). */
  forwardClientKey?: boolean;
  /** Header carrying the upstream key (default `authorization`) and its prefix (default `Bearer `). */
  apiKeyHeader?: string;
  apiKeyPrefix?: string;
  /** USD per one million tokens; overrides the built-in price table for this target. */
  pricing?: IrPricing;
  /** Per-attempt timeouts in milliseconds. */
  timeouts?: { connectMs: number; firstByteMs: number; totalMs: number };
  src: SourceRef;
}

/** USD per one million tokens. */
export interface IrPricing {
  input?: number;
  output?: number;
  cachedInput?: number;
}

/** Fallback settings from `providers.fallback` or top-level `provider_fallback`. */
export interface IrFallback {
  enabled: boolean;
  /** Target ids in order; empty: all targets in pack order. */
  targets: string[];
  /** Normalized triggers: rate_limit, server_error, service_unavailable, timeout, connection_error. */
  triggers: string[];
  /** Attempts after the first one. */
  maxFallbackAttempts: number;
}

/** Settings of the `cost-attribution` policy. */
export interface IrCost {
  tagHeaders: string[];
  tagsFromBody: boolean;
  requireTags: boolean;
  /** Model → price overrides. */
  pricing: Record<string, IrPricing>;
  src: SourceRef;
}

/** Audit settings from the `audit-logger` policy, or null when it is not in the chain. */
export interface IrAudit {
  immutable: boolean;
  retentionDays: number;
  logAllAccess: boolean;
  /** Answer a request only after its audit record is flushed. */
  durable?: boolean;
  /** Env var holding the HMAC key that signs checkpoints. */
  hmacKeyEnv?: string;
  src: SourceRef;
}

/** The compiled pack. */
export interface PolicyIr {
  irVersion: typeof IR_VERSION;
  pack: { name: string; version: string; enabled: boolean };
  /** Steps run on the request, in chain order. */
  request: IrStep[];
  /** Steps run on the response, in chain order. */
  response: IrStep[];
  targets: IrTarget[];
  audit: IrAudit | null;
  /** Cost attribution settings, when `cost-attribution` is in the chain. */
  cost?: IrCost | null;
  /** Fallback settings, when the pack configures them. */
  fallback?: IrFallback | null;
  /** `size_limits` of the pack. */
  limits?: { maxBodyBytes?: number; maxResponseBytes?: number } | null;
}

/** A chat message as OpenAI accepts it (only the fields the runtime reads are typed). */
export interface ChatMessage {
  role: string;
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

/** A content part of a multi-part message. */
export interface ChatContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

/** A tool call in an assistant message. */
export interface ChatToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  [key: string]: unknown;
}

/** An OpenAI-shaped chat completion request. */
export interface ChatRequest {
  model?: string;
  messages: ChatMessage[];
  [key: string]: unknown;
}

/** An OpenAI-shaped chat completion response. */
export interface ChatResponse {
  choices: Array<{ index?: number; message?: ChatMessage; finish_reason?: string | null; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** Why a policy acted. */
export interface Reason {
  policy: string;
  /** Dotted reason code, e.g. `prompt_injection.detected`. */
  code: string;
  message: string;
  src: SourceRef;
}

/** One redacted span. Never carries the value itself. */
export interface Redaction {
  entity: string;
  policy: string;
  /** Where the text lives, e.g. `messages[1].content` or `messages[0].tool_calls[0].function.arguments`. */
  path: string;
  /** Offsets into the original text at `path`. */
  start: number;
  end: number;
  marker: string;
}

/** Outcome of one policy on one input. */
export interface PolicyResult {
  policy: string;
  kind: string;
  outcome: 'allow' | 'redact' | 'block' | 'warn';
  code?: string;
  /** Detector score where the kind has one (e.g. prompt-injection). */
  score?: number;
}

/** The evaluator's answer. */
export interface Decision {
  verdict: 'allow' | 'redact' | 'block';
  reasons: Reason[];
  policies: PolicyResult[];
  redactions: Redaction[];
  /** The (possibly rewritten) request, for request-phase evaluation. */
  request?: ChatRequest;
  /** The (possibly rewritten) response, for response-phase evaluation. */
  response?: ChatResponse;
}

/** Environment supplied by the caller: clock and per-request state. */
export interface EvalEnv {
  now?: () => number;
}
