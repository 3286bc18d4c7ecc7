// TypeScript types of the ktpack pack format (policy-config.yaml), generated from schemas/ by
// scripts/generate-schema-artifacts.mjs with json-schema-to-typescript; do not edit.

/**
 * A ktpack policy pack (Keeptrusts-compatible policy-config.yaml): a full ConfigDocument, or a stand-alone SinglePolicyDocument.
 */
export type PolicyConfig = ConfigDocument | SinglePolicyDocument;
/**
 * Settings of a documented Keeptrusts policy kind that ktpack cannot run yet (lint rule unsupported-kind).
 */
export type UnsupportedKindOptions = {
  [k: string]: unknown | undefined;
} | null;
/**
 * Route rules (path/method/header based routing to different chains or upstreams). ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export type Routes = unknown[];
/**
 * Logical model names mapped to target ids; the client sends the group name as `model`. ktpack accepts this section but does not route by it yet (lint rule unsupported-section).
 */
export type ModelGroups = ModelGroup[];

/**
 * The full gateway configuration: pack identity, providers, the policy chain and each policy's settings.
 */
export interface ConfigDocument {
  pack: PackMetadata;
  providers?: Providers;
  policies: Policies;
  policy?: PolicySettings;
  provider_fallback?: Fallback;
  testing?: Testing;
  agents?: Agents;
  routes?: Routes;
  model_groups?: ModelGroups;
  provider_routing?: ProviderRouting;
  global_rate_limit?: GlobalRateLimit;
  ip_rate_limit?: IpRateLimit;
  user_rate_limit?: UserRateLimit;
  token_rate_limit?: TokenRateLimit;
  size_limits?: SizeLimits;
  rate_limits?: RateLimits;
  loads?: Loads;
  history?: History;
}
/**
 * Identity and master switch of the pack.
 */
export interface PackMetadata {
  name: string;
  /**
   * SemVer MAJOR.MINOR.PATCH.
   */
  version: string;
  /**
   * Master kill switch.
   */
  enabled: boolean;
  id?: string;
  author?: string;
  description?: string;
}
/**
 * Upstream targets (tried in order) and fallback settings.
 */
export interface Providers {
  /**
   * Upstream targets, in fallback order.
   */
  targets?: Target[];
  /**
   * single: first target only; ordered/fallback: try targets in order.
   */
  strategy?: 'single' | 'ordered' | 'fallback';
  routing?: Routing;
  fallback?: Fallback;
}
/**
 * One upstream provider target.
 */
export interface Target {
  /**
   * Unique id, referenced by fallback settings.
   */
  id: string;
  /**
   * Provider name (openai) or colon id (openai:chat:gpt-4o).
   */
  provider: string;
  /**
   * Model sent upstream; omitted: the model in the provider id, else the client's.
   */
  model?: string;
  /**
   * OpenAI-compatible base URL (default https://api.openai.com/v1).
   */
  base_url?: string;
  secret_key_ref?: SecretKeyRef;
  /**
   * Literal key (discouraged; use secret_key_ref).
   */
  api_key?: string;
  /**
   * Header carrying the key (default authorization).
   */
  api_key_header?: string;
  /**
   * Prefix before the key (default "Bearer ").
   */
  api_key_prefix?: string;
  /**
   * Forward the client's own Authorization header upstream (off by default).
   */
  forward_client_key?: boolean;
  pricing?: Pricing;
  timeouts?: Timeouts;
}
/**
 * Where the upstream key comes from: an environment variable or a secret store name. ktpack serve reads environment variables only: store is refused (lint rule unsupported-option; the build fails).
 */
export interface SecretKeyRef {
  env?: string;
  store?: string;
}
/**
 * USD per one million tokens; overrides the built-in price table for this target.
 */
export interface Pricing {
  input_per_1m?: number;
  output_per_1m?: number;
  cached_input_per_1m?: number;
}
/**
 * Per-attempt upstream timeouts in milliseconds; a timeout triggers fallback.
 */
export interface Timeouts {
  /**
   * Time to open the connection.
   */
  connect_ms?: number;
  /**
   * Streams only: time to the first byte, and longest silence between chunks. A non-streamed answer arrives whole once generated, so total_ms bounds it.
   */
  first_byte_ms?: number;
  /**
   * Longest time for the whole answer.
   */
  total_ms?: number;
}
export interface Routing {
  strategy?: 'ordered';
}
/**
 * When and how to try the next target. Accepts the documented providers.fallback and provider_fallback shapes.
 */
export interface Fallback {
  enabled?: boolean;
  /**
   * Target ids in fallback order (default: all targets in pack order).
   */
  targets?: string[];
  /**
   * What triggers a fallback.
   */
  triggers?: (
    | 'rate_limit'
    | 'rate_limit_exceeded'
    | 'server_error'
    | 'service_unavailable'
    | '5xx'
    | 'timeout'
    | 'connection_error'
  )[];
  /**
   * Alias of triggers (multi-provider-fallback page shape).
   */
  retry_on?: (
    | 'rate_limit'
    | 'rate_limit_exceeded'
    | 'server_error'
    | 'service_unavailable'
    | '5xx'
    | 'timeout'
    | 'connection_error'
  )[];
  max_fallback_attempts?: number;
  /**
   * Alias of max_fallback_attempts.
   */
  max_retries?: number;
  strategy?: 'ordered';
  content_policy?: 'stop';
  context_window?: 'abort';
}
export interface Policies {
  /**
   * Ordered list of policy kinds; order is execution order.
   */
  chain: string[];
}
/**
 * Settings for each policy kind, keyed by kind.
 */
export interface PolicySettings {
  'agent-firewall'?: UnsupportedKindOptions;
  'audit-logger'?: AuditLoggerOptions;
  'bias-monitor'?: UnsupportedKindOptions;
  'bot-detector'?: UnsupportedKindOptions;
  'case-privacy'?: UnsupportedKindOptions;
  'citation-verifier'?: UnsupportedKindOptions;
  'cjis-mode'?: UnsupportedKindOptions;
  'code-sanitizer'?: UnsupportedKindOptions;
  'content-extractor'?: UnsupportedKindOptions;
  'content-filter'?: ContentFilterOptions;
  'cost-attribution'?: CostAttributionOptions;
  'data-routing-policy'?: UnsupportedKindOptions;
  'dlp-filter'?: UnsupportedKindOptions;
  'document-analyzer'?: UnsupportedKindOptions;
  'dual-use-filter'?: UnsupportedKindOptions;
  'embedding-detector'?: UnsupportedKindOptions;
  'entity-list-filter'?: UnsupportedKindOptions;
  'eu-ai-act'?: UnsupportedKindOptions;
  'external-moderation'?: UnsupportedKindOptions;
  'financial-compliance'?: UnsupportedKindOptions;
  'flagged-review'?: UnsupportedKindOptions;
  'gdpr-compliance'?: UnsupportedKindOptions;
  'healthcare-compliance'?: UnsupportedKindOptions;
  'hipaa-phi-detector'?: UnsupportedKindOptions;
  'human-oversight'?: UnsupportedKindOptions;
  'itar-ear-filter'?: UnsupportedKindOptions;
  'language-validator'?: UnsupportedKindOptions;
  'legal-privilege'?: UnsupportedKindOptions;
  'mnpi-filter'?: UnsupportedKindOptions;
  'pii-detector'?: PiiDetectorOptions;
  'prompt-injection'?: PromptInjectionOptions;
  'quality-scorer'?: UnsupportedKindOptions;
  rbac?: UnsupportedKindOptions;
  'safety-filter'?: UnsupportedKindOptions;
  'student-privacy'?: UnsupportedKindOptions;
  'tool-budget'?: UnsupportedKindOptions;
  'tool-security'?: UnsupportedKindOptions;
  'tool-validation'?: UnsupportedKindOptions;
  'upl-filter'?: UnsupportedKindOptions;
}
/**
 * Options of the audit-logger policy: writes one append-only, hash-chained audit record per request.
 */
export interface AuditLoggerOptions {
  /**
   * Records are append-only and hash-chained; existing records are never rewritten.
   */
  immutable?: boolean;
  /**
   * Days to keep audit segments before whole old segments are pruned.
   */
  retention_days?: number;
  /**
   * true: record every request; false: only requests that were not plainly allowed.
   */
  log_all_access?: boolean;
  /**
   * Also record access identity and data categories.
   */
  hipaa_audit_controls?: boolean;
  /**
   * Answer a request only after its audit record is flushed to disk.
   */
  durable?: boolean;
  /**
   * Environment variable holding the HMAC key that signs checkpoints.
   */
  hmac_key_env?: string;
}
/**
 * Options of the content-filter policy: blocks (or warns on, or redacts) restricted topics in requests and responses.
 */
export interface ContentFilterOptions {
  /**
   * block rejects the request (or response); warn records a reason and continues; redact replaces the matched span with [CATEGORY].
   */
  action?: 'block' | 'warn' | 'redact';
  /**
   * Built-in categories to enforce (default all). They match intent phrases, not topics: 'how to build a pipe bomb' is weapons, 'kill a zombie process' is nothing.
   */
  categories?: ('violence' | 'self_harm' | 'sexual' | 'hate' | 'weapons' | 'drugs')[];
  /**
   * Extra literal terms (case-insensitive, whole words, obfuscation-aware).
   */
  blocked_terms?: string[];
  /**
   * Extra regular expressions (JavaScript syntax, case-insensitive, Unicode), scanned in 4 KiB windows with 512 characters of overlap.
   */
  blocked_patterns?: string[];
  /**
   * Which side to scan.
   */
  apply_to?: 'input' | 'output' | 'both';
}
/**
 * Options of the cost-attribution policy: prices token usage per model and tags it with team/project identity.
 */
export interface CostAttributionOptions {
  /**
   * Request headers read as attribution tags (lower-case names).
   */
  tag_headers?: string[];
  /**
   * Also read the body's `user` and `metadata` fields.
   */
  tags_from_body?: boolean;
  /**
   * Reject requests (400) that carry none of the tag headers.
   */
  require_tags?: boolean;
  currency?: 'USD';
  /**
   * Model → USD per one million tokens; overrides the built-in table.
   */
  pricing?: {
    [k: string]: Pricing | undefined;
  };
}
/**
 * Options of the pii-detector policy: finds personal data and secrets in requests and responses and redacts or blocks them.
 */
export interface PiiDetectorOptions {
  /**
   * redact rewrites the text with markers like [EMAIL_1] and continues; block rejects the request.
   */
  action?: 'redact' | 'block';
  /**
   * Entity types to detect: EMAIL, PHONE, SSN, CREDIT_CARD, IBAN, IP_ADDRESS, API_KEY. Defaults to all built-in entities.
   */
  entities?: string[];
  /**
   * Custom regular expressions (JavaScript syntax, case-sensitive); a string (entity CUSTOM), or {name, pattern} to name the entity. Each text is scanned in 4 KiB windows with 512 characters of overlap, so a slow pattern's cost is bounded per window and a match longer than 512 characters may be cut. Entity names such as email or ssn are accepted as that built-in entity.
   */
  detect_patterns?: (string | NamedPattern)[];
  /**
   * Detect payment card numbers (CREDIT_CARD) even when not listed in entities.
   */
  pci_mode?: boolean;
  /**
   * Documented option; healthcare identifiers are not detected by ktpack yet, so true is refused (lint rule unsupported-option; the build fails).
   */
  healthcare_mode?: boolean;
  /**
   * What to do with request content parts the chain cannot read (image_url, input_audio, file, or any part type other than text and refusal). allow passes them to the upstream unread; block refuses the request with HTTP 403 (code pii.unreadable_part) whatever the action, naming each part's path and type, never its content.
   */
  non_text_parts?: 'allow' | 'block';
  /**
   * Also redact model responses (buffered in streams by a bounded hold-back window).
   */
  scan_responses?: boolean;
  redaction?: PiiRedaction;
}
export interface NamedPattern {
  name?: string;
  pattern: string;
}
export interface PiiRedaction {
  /**
   * label: [EMAIL_1] (numbered per entity; the same value keeps its marker within a request and its response); asterisks: ******** (the value's length with preserve_length); partial: ****1234 (keeps the last 4 characters of values longer than 8).
   */
  marker_format?: 'label' | 'asterisks' | 'partial';
  include_metadata?: boolean;
  /**
   * Pad or cut markers to the original length.
   */
  preserve_length?: boolean;
  /**
   * Entity → marker text (overrides marker_format for that entity); {n} in the text is the per-entity counter.
   */
  custom_markers?: {
    [k: string]: string | undefined;
  };
}
/**
 * Options of the prompt-injection policy: scores each request for instruction-override and jailbreak attempts and acts when the score reaches the threshold. Accepts the flat form (threshold/action) and the documented sections (detection/encoding/boundaries/response).
 */
export interface PromptInjectionOptions {
  /**
   * Score in [0, 1] at or above which the request is treated as an injection.
   */
  threshold?: number;
  /**
   * What to do on detection: block the request, or record a warning (warn/log) and continue.
   */
  action?: 'block' | 'warn' | 'log';
  /**
   * Documented alias of threshold (ktpack has no embedding backend; the score is heuristic).
   */
  embedding_threshold?: number;
  detection?: PromptInjectionDetection;
  encoding?: PromptInjectionEncoding;
  boundaries?: PromptInjectionBoundaries;
  response?: PromptInjectionResponse;
}
export interface PromptInjectionDetection {
  /**
   * Extra regular expressions (JavaScript syntax, case-insensitive); a match scores as an instruction override.
   */
  attack_patterns?: string[];
  /**
   * Alias of threshold.
   */
  embedding_threshold?: number;
}
export interface PromptInjectionEncoding {
  /**
   * Decode base64/hex segments and rescan them.
   */
  decode_base64?: boolean;
  /**
   * NFKC, zero-width and tag characters removed before scoring.
   */
  normalize_unicode?: boolean;
  /**
   * Map look-alike letters (Cyrillic, Greek, fullwidth, leetspeak) to ASCII before scoring.
   */
  detect_homoglyphs?: boolean;
}
export interface PromptInjectionBoundaries {
  enforce_delimiters?: boolean;
  /**
   * Score fake system/turn boundary tokens (<|im_start|>, [INST], ### System:).
   */
  reject_fake_boundaries?: boolean;
}
export interface PromptInjectionResponse {
  /**
   * Overrides the top-level action.
   */
  action?: 'block' | 'warn' | 'log';
  /**
   * Message returned to the client when blocked.
   */
  message?: string;
  log_level?: 'debug' | 'info' | 'warn' | 'error';
}
/**
 * Inline policy test suites, run by `ktpack test`.
 */
export interface Testing {
  default_threshold?: number;
  plugins?: string[];
  strategies?: string[];
  suites?: TestSuite[];
}
export interface TestSuite {
  name: string;
  description?: string;
  target?: string;
  assertions?: unknown[];
  cases: TestCase[];
}
export interface TestCase {
  name: string;
  input: {
    messages?: {}[];
    headers?: {
      [k: string]: string | undefined;
    };
    request?: {};
    upstream_response?: {};
    proxy_name?: string;
    team_slugs?: string[];
  };
  expected: {
    verdict: 'allow' | 'redact' | 'block' | 'escalate';
    reason_code?: string;
  };
}
/**
 * Per-agent usage constraints (cost and response-count limits). ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export interface Agents {
  [k: string]: unknown | undefined;
}
export interface ModelGroup {
  /**
   * Group name clients send as `model`.
   */
  name: string;
  /**
   * Target ids, in order.
   */
  targets: string[];
  aliases?: string[];
  /**
   * Another group tried when all targets fail.
   */
  fallback_group?: string;
}
/**
 * Global routing strategy (ordered, lowest_latency, highest_throughput, round_robin, ...). ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export interface ProviderRouting {
  [k: string]: unknown | undefined;
}
/**
 * Gateway-wide rate limit. ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export interface GlobalRateLimit {
  [k: string]: unknown | undefined;
}
/**
 * Per-client-IP rate limit. ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export interface IpRateLimit {
  [k: string]: unknown | undefined;
}
/**
 * Per-user rate limit. ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export interface UserRateLimit {
  [k: string]: unknown | undefined;
}
/**
 * Per-key token rate limit. ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export interface TokenRateLimit {
  [k: string]: unknown | undefined;
}
/**
 * Request and response size limits: ktpack serve answers 413 past max_body_bytes and stops an upstream answer past max_response_bytes.
 */
export interface SizeLimits {
  /**
   * Largest request body ktpack serve accepts, in bytes; a larger one gets an OpenAI-shaped 413. Default 4194304 (4 MiB).
   */
  max_body_bytes?: number;
  /**
   * Largest upstream answer ktpack serve reads, in bytes; past it the answer is stopped. Default 67108864 (64 MiB).
   */
  max_response_bytes?: number;
}
/**
 * Alternative per_key/per_user/per_team/global rate-limit shape. ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export interface RateLimits {
  [k: string]: unknown | undefined;
}
/**
 * Knowledge Base recall settings. ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export interface Loads {
  [k: string]: unknown | undefined;
}
/**
 * Conversation history settings. ktpack accepts this documented section but does not act on it yet (lint rule unsupported-section).
 */
export interface History {
  [k: string]: unknown | undefined;
}
/**
 * A stand-alone policy file (prompt-injection, agent-firewall, citation-verifier or quality-scorer); ktpack runs prompt-injection.
 */
export interface SinglePolicyDocument {
  policy: SinglePolicyMetadata;
  /**
   * Score in [0, 1] at or above which the request is treated as an injection.
   */
  threshold?: number;
  /**
   * What to do on detection: block the request, or record a warning (warn/log) and continue.
   */
  action?: 'block' | 'warn' | 'log';
  detection?: PromptInjectionDetection;
  encoding?: PromptInjectionEncoding;
  boundaries?: PromptInjectionBoundaries;
  response?: PromptInjectionResponse;
}
/**
 * Which policy this file configures.
 */
export interface SinglePolicyMetadata {
  /**
   * The policy kind; only these four kinds may be stand-alone.
   */
  name: 'agent-firewall' | 'citation-verifier' | 'prompt-injection' | 'quality-scorer';
  /**
   * SemVer MAJOR.MINOR.PATCH.
   */
  version: string;
  /**
   * Master switch of this policy.
   */
  enabled: boolean;
}
