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

/** A regular expression as data: `new RegExp(source, flags)`. `flags` carry the pattern's meaning (i, u, m, s); a scanner may add `g` to iterate. */
export interface IrRegex {
  source: string;
  flags: string;
}

/** Resolved `prompt-injection` options. */
export interface PromptInjectionOptions {
  /** Score in [0, 1] at which the policy acts (`threshold`, or `detection.embedding_threshold`). */
  threshold: number;
  /** `detection.attack_patterns`, matched case-insensitively on the de-obfuscated text. */
  attackPatterns: IrRegex[];
  /** Which hidden encodings are decoded and normalised before scoring. */
  encoding: { decodeBase64: boolean; normalizeUnicode: boolean; detectHomoglyphs: boolean };
  /** Score fake system/role boundaries written into user text. */
  rejectFakeBoundaries: boolean;
  /** `response.message`: shown instead of the default block message. */
  message?: string;
}

/** A `detect_patterns` entry: the entity it reports and its regex. */
export interface PiiCustomPattern {
  entity: string;
  source: string;
  flags: string;
}

/** How a redacted value is replaced (`redaction.*`). */
export interface PiiMarkers {
  format: 'label' | 'asterisks' | 'partial';
  preserveLength: boolean;
  /** Entity → marker text. */
  customMarkers: Record<string, string>;
}

/** Resolved `pii-detector` options. */
export interface PiiDetectorOptions {
  /** Built-in entities detected (sorted). */
  entities: string[];
  customPatterns: PiiCustomPattern[];
  /** False: the response phase passes responses through. */
  scanResponses: boolean;
  /** block: a request holding a content part that is not text is blocked (`pii.unreadable_part`); allow or absent (IR built before the option): such parts pass unread. */
  nonTextParts?: 'allow' | 'block';
  markers: PiiMarkers;
}

/** Resolved `content-filter` options. */
export interface ContentFilterOptions {
  /** Built-in categories checked (sorted). */
  categories: string[];
  /** Literal terms, matched case-insensitively on word boundaries. */
  blockedTerms: string[];
  blockedPatterns: IrRegex[];
  /** Which phase the filter checks. */
  applyTo: 'input' | 'output' | 'both';
}

/** A `prompt-injection` step (request phase). */
export interface PromptInjectionStep {
  /** Policy name as it appears in the chain. */
  policy: string;
  kind: 'prompt-injection';
  action: 'block' | 'warn' | 'log';
  options: PromptInjectionOptions;
  src: SourceRef;
}

/** A `pii-detector` step (request and response phases). */
export interface PiiDetectorStep {
  policy: string;
  kind: 'pii-detector';
  action: 'redact' | 'block';
  options: PiiDetectorOptions;
  src: SourceRef;
}

/** A `content-filter` step (request and response phases). */
export interface ContentFilterStep {
  policy: string;
  kind: 'content-filter';
  action: 'block' | 'warn' | 'redact';
  options: ContentFilterOptions;
  src: SourceRef;
}

/** One compiled policy step: its kind, action and fully resolved options (defaults filled in, regexes as {@link IrRegex}). */
export type IrStep = PromptInjectionStep | PiiDetectorStep | ContentFilterStep;

/** USD per one million tokens, resolved at build time (the pack's prices, else ktpack's built-in table); null: unknown then, so the serving ktpack's table is consulted. */
export interface IrPricing {
  inputPer1m: number | null;
  outputPer1m: number | null;
  cachedInputPer1m: number | null;
}

/** Per-attempt upstream timeouts in milliseconds, defaults filled in. */
export interface IrTimeouts {
  connectMs: number;
  firstByteMs: number;
  totalMs: number;
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
  /** Header carrying the upstream key (lower-case) and the text before the key. */
  apiKeyHeader: string;
  apiKeyPrefix: string;
  /** Forward the client's own Authorization header upstream instead of `secretEnv`. */
  forwardClientKey: boolean;
  pricing: IrPricing | null;
  timeouts: IrTimeouts;
  src: SourceRef;
}

/** When and in which order targets are tried. */
export interface IrFallback {
  /** False: only the first target of `order` is tried. */
  enabled: boolean;
  /** Target ids in the order they are tried. */
  order: string[];
  /** What moves on to the next target, normalised: rate_limit, server_error, timeout, connection_error. */
  triggers: Array<'rate_limit' | 'server_error' | 'timeout' | 'connection_error'>;
  /** Further targets tried after the first one fails. */
  maxAttempts: number;
  src: SourceRef;
}

/** Settings of the `cost-attribution` policy. */
export interface IrCost {
  /** Lower-case request headers read as attribution tags. */
  tagHeaders: string[];
  tagsFromBody: boolean;
  requireTags: boolean;
  /** Model → price overrides. */
  pricing: Record<string, IrPricing>;
  src: SourceRef;
}

/** `size_limits` of the pack. */
export interface IrLimits {
  maxBodyBytes?: number;
  maxResponseBytes?: number;
  src: SourceRef;
}

/** Audit settings from the `audit-logger` policy, or null when it is not in the chain. */
export interface IrAudit {
  immutable: boolean;
  retentionDays: number;
  logAllAccess: boolean;
  /** Answer a request only after its audit record is flushed. */
  durable: boolean;
  /** Env var holding the HMAC key that signs checkpoints, or null (unsigned). */
  hmacKeyEnv: string | null;
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
  fallback: IrFallback;
  audit: IrAudit | null;
  /** Cost attribution settings, or null when `cost-attribution` is not in the chain. */
  cost: IrCost | null;
  /** `size_limits`, or null when the pack sets none. */
  limits: IrLimits | null;
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
  /**
   * Run every step even after one blocks (the verdict stays `block`): report-only serving records what each
   * policy would have done, not only the first block.
   */
  evaluateAll?: boolean;
}
