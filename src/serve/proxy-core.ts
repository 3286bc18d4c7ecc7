// Proxy core: plain request data in, response (JSON or an SSE stream) out. Runs the chain, calls upstreams, records audit.
import { randomUUID } from 'node:crypto';
import { evaluate } from '../runtime/evaluate.js';
import { createMarkerTable, type MarkerTable } from '../runtime/step.js';
import { createStreamScanner } from '../runtime/stream-scanner.js';
import type { ChatRequest, ChatResponse, Decision, IrTarget, PolicyIr, Reason } from '../runtime/types.js';
import type { AuditRecord } from './audit-log.js';
import type { CancelSignal } from './client-signal.js';
import { DEFAULT_COST, priceUsage, readTags, TagSanitizer, type Usage } from './cost.js';
import { parseRetryAfter, statusTrigger, type AttemptOutcome, type AttemptRecord, type FallbackRunner } from './fallback.js';
import { bearerOf, type KeySet } from './gateway-keys.js';
import type { Metrics } from './metrics.js';
import { escapeFree, stringifyEscapeFree } from './json-out.js';
import { openAiError, scrubSecrets } from './openai-errors.js';
import { SseParser, sseEvent, SSE_DONE } from './sse.js';
import { StreamPolicyError, StreamProtocolError, StreamRelay } from './stream-relay.js';
import { classifyUpstreamError, DEFAULT_TIMEOUTS, UpstreamError, type UpstreamClient, type UpstreamStream, type UpstreamTimeouts } from './upstream.js';

/** An inbound HTTP request, reduced to what the core needs. */
export interface ProxyRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Peer address, for loopback-only admin endpoints. */
  remoteAddress?: string;
  /** Aborted when the client disconnects. */
  signal?: CancelSignal;
  /** Set (to the limit in bytes) when the body was larger than the limit and not read; `body` is then empty. */
  bodyTooLarge?: number;
}

/** The response the adapter writes: a whole body, or an SSE stream. */
export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** SSE events to write after the headers, as they come. */
  stream?: AsyncIterable<string>;
}

/** One loaded pack, swapped atomically on reload. */
export interface PackState {
  ir: PolicyIr;
  irHash?: string;
  /** Where the pack came from (shown by /ktpack/config). */
  origin?: string;
  /** Targets with a usable key, in attempt order. */
  runner: FallbackRunner;
  /** Targets skipped because their key variable is not set (names only). */
  unavailable: Array<{ id: string; env: string }>;
  loadedAt: string;
}

/** Everything the core needs, injected. */
export interface ProxyDeps {
  state: () => PackState;
  upstream: UpstreamClient;
  /** Env vars (upstream keys). */
  env: Record<string, string | undefined>;
  /** Overrides every target's base URL (debugging, tests, the embedded mock). */
  upstreamOverride?: string;
  /** Receives audit records; the promise settles once written. */
  audit?: (record: AuditRecord) => Promise<void>;
  metrics: Metrics;
  /** What a policy evaluation error does: block (default) or allow (recorded as fail-open). */
  failMode: 'block' | 'allow';
  /** Evaluate and record every decision, but block and redact nothing. */
  reportOnly: boolean;
  /** When set, only holders of one of these keys may call /v1. */
  gatewayKeys?: KeySet;
  /** Keys accepted on admin endpoints from non-loopback peers. */
  adminKeys?: KeySet;
  /** Reloads the pack; rejects (keeping the old one) when the new pack is invalid. */
  reload?: () => Promise<PackState>;
  /** Largest request body (bytes); shown by /ktpack/config. */
  maxBodyBytes: number;
  now?: () => number;
  /** Cleans client-chosen identifiers (tags, the model name) before they are recorded. */
  sanitizer?: TagSanitizer;
}

/** The proxy core. */
export interface ProxyCore {
  handle(req: ProxyRequest): Promise<ProxyResponse>;
  /** Records a request the HTTP layer refused before the core saw it (too slow, malformed, an internal error). */
  recordRefused(id: string, status: number, code: string): void;
  /** Requests currently being answered (streams included). */
  readonly inFlight: number;
}

const JSON_TYPE = 'application/json';
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' };

function json(status: number, body: unknown, requestId: string, extra: Record<string, string> = {}): ProxyResponse {
  return { status, headers: { 'content-type': JSON_TYPE, 'x-request-id': requestId, ...extra }, body: JSON.stringify(body) };
}

/** An error the policy evaluator raised (a bug or a bad IR), handled by the fail mode. */
class PolicyEvalError extends Error {}

function isLoopback(addr: string | undefined): boolean {
  return !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));
}

function header(headers: ProxyRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A fresh request id, `ktp_` + 32 hex digits; it names the request's audit record. */
export function newRequestId(): string {
  return `ktp_${randomUUID().replace(/-/g, '')}`;
}

/** Creates the proxy core. */
export function createProxyCore(deps: ProxyDeps): ProxyCore {
  const now = deps.now ?? Date.now;
  const sanitizer = deps.sanitizer ?? new TagSanitizer();
  const started = now();
  let processed = 0;
  let inFlight = 0;
  const { metrics } = deps;

  const baseUrlOf = (t: IrTarget): string => (deps.upstreamOverride ?? t.baseUrl).replace(/\/+$/, '');

  const packInfo = (s: PackState) => ({ name: s.ir.pack.name, version: s.ir.pack.version, ...(s.irHash ? { hash: s.irHash } : {}) });

  const health = (id: string): ProxyResponse => {
    const s = deps.state();
    const usable = s.runner.targets.length > 0;
    return json(usable ? 200 : 503, {
      status: usable ? 'healthy' : 'unhealthy',
      uptime_seconds: Math.floor((now() - started) / 1000),
      pack: packInfo(s),
      policies_loaded: s.ir.request.length + s.ir.response.length,
      requests_processed: processed,
      targets: Object.fromEntries([...s.runner.targets.map((t) => [t.id, 'configured']), ...s.unavailable.map((u) => [u.id, 'unavailable'])]),
    }, id);
  };

  const configView = (id: string): ProxyResponse => {
    const s = deps.state();
    const { ir } = s;
    return json(200, {
      pack: { ...packInfo(s), enabled: ir.pack.enabled, origin: s.origin ?? null, loaded_at: s.loadedAt },
      request_chain: ir.request.map((n) => ({ policy: n.policy, kind: n.kind, action: n.action })),
      response_chain: ir.response.map((n) => ({ policy: n.policy, kind: n.kind, action: n.action })),
      targets: ir.targets.map((t) => ({
        id: t.id,
        provider: t.provider,
        model: t.model,
        base_url: redactUrl(baseUrlOf(t)),
        key_env: t.secretEnv,
        key_present: t.secretEnv ? Boolean(deps.env[t.secretEnv]) : null,
        available: s.runner.targets.includes(t),
        forward_client_key: t.forwardClientKey === true,
      })),
      fallback: ir.fallback ?? null,
      audit: ir.audit ? { immutable: ir.audit.immutable, retention_days: ir.audit.retentionDays, log_all_access: ir.audit.logAllAccess, durable: ir.audit.durable ?? false, signed: Boolean(ir.audit.hmacKeyEnv) } : null,
      cost: ir.cost ? { tag_headers: ir.cost.tagHeaders, tags_from_body: ir.cost.tagsFromBody, require_tags: ir.cost.requireTags } : null,
      serve: { fail_mode: deps.failMode, report_only: deps.reportOnly, gateway_keys: deps.gatewayKeys?.size ?? 0, max_body_bytes: ir.limits?.maxBodyBytes ?? deps.maxBodyBytes },
    }, id);
  };

  const isAdmin = (req: ProxyRequest): boolean =>
    isLoopback(req.remoteAddress) || Boolean(deps.adminKeys?.accepts(header(req.headers, 'x-ktpack-admin-key') ?? bearerOf(req.headers)));

  /** Runs one chain, applying the fail mode to evaluator errors. */
  const runChain = (ir: PolicyIr, input: Parameters<typeof evaluate>[1], markers: MarkerTable): Decision => {
    try {
      return evaluate(ir, input, deps.reportOnly ? { markers, evaluateAll: true } : { markers });
    } catch (e) {
      throw new PolicyEvalError((e as Error).message);
    }
  };

  const chat = async (req: ProxyRequest, id: string, route: 'chat' | 'embeddings'): Promise<ProxyResponse> => {
    const t0 = now();
    const state = deps.state();
    const { ir } = state;
    const costSettings = ir.cost ?? DEFAULT_COST;
    const record: AuditRecord = { id, time: new Date(t0).toISOString(), pack: packInfo(state), route: route === 'chat' ? '/v1/chat/completions' : '/v1/embeddings' };
    const attempts: AttemptRecord[] = [];
    const finish = async (res: ProxyResponse, extra: Record<string, unknown>): Promise<ProxyResponse> => {
      processed++;
      // The record is finished once per request: fill it in place (same keys, same order as a spread, no copies).
      const rec = Object.assign(record, extra);
      rec.status = res.status;
      rec.latency_ms = now() - t0;
      if (attempts.length) rec.attempts = attempts;
      observe(rec);
      const written = writeAudit(rec);
      if (ir.audit?.durable && written) {
        try {
          await written;
        } catch {
          return json(503, openAiError('The audit log could not be written; the request was not answered.', 'server_error', 'audit_unavailable'), id);
        }
      }
      return res;
    };
    const writeAudit = (rec: AuditRecord): Promise<void> | undefined => {
      if (!deps.audit || !ir.audit) return undefined;
      if (!ir.audit.logAllAccess && rec.verdict === 'allow') return undefined;
      return deps.audit(rec);
    };
    const observe = (rec: AuditRecord): void => {
      metrics.inc('ktpack_requests_total', { route: String(rec.route), verdict: String(rec.verdict), status: String(rec.status) });
      for (const a of attempts) metrics.inc('ktpack_upstream_attempts_total', { target: a.target, outcome: a.status === 200 ? 'ok' : (a.error ?? String(a.status)) });
      const c = rec.cost as { usd: number | null; model: string; inputTokens: number; outputTokens: number } | undefined;
      const tags = (rec.tags ?? {}) as Record<string, string>;
      if (c) {
        metrics.inc('ktpack_tokens_total', { model: c.model, direction: 'input', team: tags.team ?? '' }, c.inputTokens);
        metrics.inc('ktpack_tokens_total', { model: c.model, direction: 'output', team: tags.team ?? '' }, c.outputTokens);
        if (c.usd !== null) metrics.inc('ktpack_cost_usd_total', { model: c.model, team: tags.team ?? '', project: tags.project ?? '' }, c.usd);
      }
      for (const [entity, n] of Object.entries((rec.redactions ?? {}) as Record<string, number>)) metrics.inc('ktpack_redactions_total', { entity }, n);
      if (rec.fail_open) metrics.inc('ktpack_fail_open_total');
      metrics.inc('ktpack_request_duration_seconds_sum', {}, (now() - t0) / 1000);
      metrics.inc('ktpack_request_duration_seconds_count');
    };
    const invalid = (message: string, code: string, param: string | null = null, status = 400): Promise<ProxyResponse> =>
      finish(json(status, openAiError(message, 'invalid_request_error', code, { param }), id), { verdict: 'error', error: code });

    if (deps.gatewayKeys && !deps.gatewayKeys.accepts(bearerOf(req.headers))) {
      return finish(json(401, openAiError('Incorrect or missing gateway API key. Send the key issued for this gateway as the Bearer token.', 'invalid_request_error', 'invalid_api_key'), id), { verdict: 'error', error: 'invalid_api_key' });
    }
    if (req.bodyTooLarge !== undefined) {
      return invalid(`Request body is larger than the limit of ${req.bodyTooLarge} bytes.`, 'request_too_large', null, 413);
    }
    const ctype = header(req.headers, 'content-type');
    if (ctype !== undefined && !/^application\/(?:[\w.+-]*\+)?json\b/i.test(ctype)) {
      return invalid(`Unsupported content type "${ctype.slice(0, 60)}"; send the body as application/json.`, 'unsupported_content_type', null, 415);
    }
    const cenc = header(req.headers, 'content-encoding');
    if (cenc !== undefined && !/^\s*identity\s*$/i.test(cenc)) {
      return invalid(`Unsupported content encoding "${cenc.slice(0, 40)}"; send the body uncompressed.`, 'unsupported_content_encoding', null, 415);
    }
    let body: ChatRequest & { input?: unknown };
    try {
      body = JSON.parse(req.body.toString('utf8')) as typeof body;
    } catch {
      return invalid('We could not parse the JSON body of your request. (HINT: This likely means you are not sending valid JSON.)', 'invalid_json');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return invalid('The request body must be a JSON object.', 'invalid_request');
    if (nestingExceeds(body, MAX_JSON_DEPTH)) return invalid(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, 'invalid_request');
    if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
      return invalid("Invalid type for 'stream': expected a boolean.", 'invalid_type', 'stream');
    }
    const tags = readTags(req.headers, body, costSettings, sanitizer);
    if (Object.keys(tags).length) record.tags = tags;
    if (costSettings.requireTags && !costSettings.tagHeaders.some((h) => header(req.headers, h))) {
      return invalid(`Missing attribution header: send one of ${costSettings.tagHeaders.join(', ')}.`, 'missing_attribution_tags');
    }

    // Embeddings are policed as one user message per input string.
    let chatView: ChatRequest;
    if (route === 'embeddings') {
      const input = body.input;
      const inputs = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((x) => typeof x === 'string') ? (input as string[]) : undefined;
      if (!inputs) return invalid("'input' must be a string or an array of strings (token arrays cannot be policed and are refused).", 'unsupported_input', 'input');
      // The body's `user` is client text sent upstream too: policed as in chat completions.
      chatView = { messages: inputs.map((content) => ({ role: 'user', content })), ...(body.user !== undefined ? { user: body.user } : {}) };
    } else {
      if (!Array.isArray(body.messages) || body.messages.length === 0) return invalid("Missing required parameter: 'messages'.", 'missing_required_parameter', 'messages');
      chatView = body;
      const unpoliced = policesOutput(ir) && !deps.reportOnly ? unpolicedOutput(body) : undefined;
      if (unpoliced) {
        return invalid(`'${unpoliced}' is not supported through this gateway: its answer would carry text the pack's response policies cannot check.`, 'unsupported_parameter', unpoliced);
      }
    }
    // The model name is client text too: recorded only once it is known not to carry a secret or personal data.
    const requestedModel = typeof body.model === 'string' ? (body.model.length > 128 ? '[too long]' : sanitizer.clean(body.model)) : null;
    const stream = route === 'chat' && body.stream === true;
    record.model = { requested: requestedModel };
    record.stream = stream;
    if (deps.reportOnly) record.report_only = true;
    const markers = createMarkerTable();

    let reqDecision: Decision;
    try {
      reqDecision = runChain(ir, { phase: 'request', request: chatView }, markers);
    } catch (e) {
      if (deps.failMode === 'block') {
        return finish(json(403, openAiError('Request blocked: a policy could not be evaluated (fail-mode block).', 'policy_violation', 'policy_evaluation_failed'), id), { verdict: 'block', phase: 'request', error: 'policy_evaluation_failed' });
      }
      record.fail_open = { phase: 'request', error: 'policy_evaluation_failed' };
      reqDecision = { verdict: 'allow', reasons: [], policies: [], redactions: [], request: chatView };
      void e;
    }
    const decisions: Decision[] = [reqDecision];
    if (reqDecision.verdict === 'block' && !deps.reportOnly) {
      const reason = reqDecision.reasons[reqDecision.reasons.length - 1];
      return finish(json(403, openAiError(reason.message, 'policy_violation', 'input_blocked', { policy: reason.policy }), id), { verdict: 'block', phase: 'request', ...decisionSummary(decisions) });
    }

    let outbound: Record<string, unknown>;
    // The body goes upstream as parsed (no policy rewrote it): when its bytes held no backslash, none of its strings
    // needs escaping, and it is serialized without JSON.stringify's per-character scan (same text).
    const unchanged = deps.reportOnly || reqDecision.verdict === 'allow';
    const plainOutbound = unchanged && escapeFree(req.body);
    if (unchanged) outbound = { ...body };
    else if (route === 'embeddings') {
      const texts = reqDecision.request!.messages.map((m) => String(m.content ?? ''));
      outbound = { ...body, input: typeof body.input === 'string' ? texts[0] : texts };
      if (body.user !== undefined) outbound.user = (reqDecision.request as Record<string, unknown>).user;
    } else outbound = { ...reqDecision.request! };
    const includeUsage = stream && (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    // Usage is always requested upstream: cost attribution needs it.
    if (stream) outbound.stream_options = { ...((body.stream_options as object | undefined) ?? {}), include_usage: true };
    // Nothing below reads the parsed request: drop every reference but the one bodyFor holds (an async function keeps
    // its locals across awaits, dead or not), and the raw bytes.
    let unsent: Record<string, unknown> | undefined = outbound;
    body = chatView = outbound = undefined as never;
    reqDecision.request = undefined;
    req.body = NO_BYTES;

    if (state.runner.targets.length === 0) {
      return finish(json(503, openAiError('No upstream target is usable (none configured, or their key variables are not set).', 'upstream_error', 'no_target'), id), { verdict: 'error', error: 'no_target', ...decisionSummary(decisions) });
    }

    const requestHeaders = (target: IrTarget): Record<string, string> => {
      const h: Record<string, string> = { 'x-request-id': id, accept: stream ? 'text/event-stream' : JSON_TYPE };
      const key = target.secretEnv ? deps.env[target.secretEnv] : undefined;
      if (key) h[target.apiKeyHeader ?? 'authorization'] = `${target.apiKeyPrefix ?? 'Bearer '}${key}`;
      // With gateway keys the client's Authorization carries the gateway key: never pass that upstream.
      else if (target.forwardClientKey && !deps.gatewayKeys) {
        const client = header(req.headers, 'authorization');
        if (client) h.authorization = client;
      }
      return h;
    };
    /** Credentials an upstream may echo back in an error: the target's key and the client's own key. */
    const sentSecrets = (target: IrTarget): string[] =>
      [target.secretEnv ? deps.env[target.secretEnv] : undefined, bearerOf(req.headers)].filter((k): k is string => Boolean(k));
    // The body is serialized once per model sent (chat targets pin their model; embeddings keep the client's) and
    // kept as bytes. When every target gets the same body, the parsed object is let go after that: held for the
    // whole upstream round trip, a long prompt's strings outlived young-generation GCs and were copied and promoted.
    const pinnedModel = (target: IrTarget): string | undefined => (route === 'chat' && target.model ? target.model : undefined);
    const oneBody = new Set(state.runner.targets.map(pinnedModel)).size === 1;
    const serialized = new Map<string | undefined, Buffer>();
    const bodyFor = (target: IrTarget): Buffer => {
      const model = pinnedModel(target);
      let bytes = serialized.get(model);
      if (!bytes) {
        const value = model !== undefined ? { ...unsent!, model } : unsent!;
        bytes = Buffer.from(plainOutbound ? stringifyEscapeFree(value, PINNED_KEYS) : JSON.stringify(value), 'utf8');
        serialized.set(model, bytes);
        if (oneBody) unsent = undefined;
      }
      return bytes;
    };
    const maxResponse = ir.limits?.maxResponseBytes ?? 64 * 1024 * 1024;
    const upstreamPath = route === 'chat' ? '/chat/completions' : '/embeddings';

    /** Turns a non-2xx upstream answer into a fallback outcome. */
    const upstreamFailure = async <T>(up: UpstreamStream, toResponse: (r: ProxyResponse) => T, target: IrTarget): Promise<AttemptOutcome<T>> => {
      const raw = await up.read(1024 * 1024).catch(() => Buffer.alloc(0));
      const retryAfterMs = parseRetryAfter(up.headers, now());
      const extra: Record<string, string> = retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } : {};
      return { ok: false, trigger: statusTrigger(up.status), status: up.status, retryAfterMs, failure: toResponse(passUpstreamError(up.status, raw, id, extra, sentSecrets(target))) };
    };
    /** The client left before an answer: nothing reaches it; the record says so (499, as nginx logs it), not an upstream fault. */
    const clientGone = (): ProxyResponse => json(499, openAiError('The client closed the connection before the answer.', 'invalid_request_error', 'client_disconnected'), id);
    const transportFailure = <T>(e: unknown, toResponse: (r: ProxyResponse) => T, target: IrTarget): AttemptOutcome<T> => {
      if (req.signal?.aborted) return { ok: false, error: 'client_disconnected', failure: toResponse(clientGone()) };
      const err = e instanceof StreamProtocolError ? new UpstreamError('connection_error', 'malformed_sse') : classifyUpstreamError(e);
      const status = err.kind === 'timeout' ? 504 : 502;
      // What the client reads: the upstream timed out, answered with something that is not OpenAI's wire format,
      // reported an error itself, or could not be reached.
      const [code, message] =
        err.kind === 'timeout' ? ['upstream_timeout', `Upstream ${target.id} timed out (${err.code}).`]
        : err.code === 'malformed_sse' ? ['bad_upstream_response', `Upstream ${target.id} sent a malformed event stream.`]
        : err.code === 'upstream_error_event' ? ['upstream_error', `Upstream ${target.id} reported an error in its event stream.`]
        : ['upstream_unreachable', `Upstream ${target.id} could not be reached (${err.code}).`];
      // An error event in the upstream's stream is the upstream failing, as a 5xx would be.
      const trigger = err.code === 'upstream_error_event' ? 'server_error' : err.kind;
      return { ok: false, trigger, error: `${err.kind}:${err.code}`, failure: toResponse(json(status, openAiError(message, 'upstream_error', code), id)) };
    };
    const allCooling = (ms: number): ProxyResponse =>
      json(429, openAiError('Every upstream target is rate limited; retry later.', 'rate_limit_exceeded', 'upstream_rate_limited'), id, { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) });

    let usedTarget: IrTarget | undefined;
    if (!stream) {
      type Ok = { kind: 'ok'; target: IrTarget; body: Buffer } | { kind: 'fail'; res: ProxyResponse };
      const result = await state.runner.run<Ok>(
        async (target) => {
          const fail = (r: ProxyResponse): Ok => ({ kind: 'fail', res: r });
          let up: UpstreamStream;
          try {
            up = await deps.upstream.post(`${baseUrlOf(target)}${upstreamPath}`, bodyFor(target), requestHeaders(target), wholeAnswerTimeouts(target.timeouts ?? DEFAULT_TIMEOUTS), req.signal);
          } catch (e) {
            return transportFailure(e, fail, target);
          }
          if (up.status < 200 || up.status >= 300) return upstreamFailure(up, fail, target);
          try {
            return { ok: true, value: { kind: 'ok', target, body: await up.read(maxResponse) } };
          } catch (e) {
            return transportFailure(e, fail, target);
          }
        },
        attempts,
        (ms) => ({ kind: 'fail', res: allCooling(ms) }),
        req.signal,
      );
      if (result.kind === 'fail') {
        return finish(req.signal?.aborted ? clientGone() : result.res, { verdict: 'error', ...(req.signal?.aborted ? { error: 'client_disconnected', client_disconnected: true } : { error: 'upstream_failed' }), ...decisionSummary(decisions) });
      }
      usedTarget = result.target;
      const sentModel = route === 'chat' && usedTarget.model ? usedTarget.model : requestedModel;
      const meta = { target: usedTarget.id, model: { requested: requestedModel, sent: sentModel } };
      let response: ChatResponse & { usage?: Usage; model?: string };
      try {
        response = JSON.parse(result.body.toString('utf8')) as typeof response;
      } catch {
        return finish(json(502, openAiError('Upstream returned a response that is not valid JSON.', 'upstream_error', 'bad_upstream_response'), id), { verdict: 'error', error: 'bad_upstream_response', ...meta, ...decisionSummary(decisions) });
      }
      if (!response || typeof response !== 'object' || Array.isArray(response)) {
        return finish(json(502, openAiError('Upstream returned a response that is not a JSON object.', 'upstream_error', 'bad_upstream_response'), id), { verdict: 'error', error: 'bad_upstream_response', ...meta, ...decisionSummary(decisions) });
      }
      const cost = priceUsage(response.usage, typeof response.model === 'string' ? response.model : (sentModel ?? ''), usedTarget, costSettings);
      const costFields = { usage: response.usage ?? null, cost };
      if (route === 'embeddings') {
        return finish({ status: 200, headers: { 'content-type': JSON_TYPE, 'x-request-id': id }, body: result.body.toString('utf8') }, { verdict: verdictOf(decisions), ...meta, ...costFields, ...decisionSummary(decisions) });
      }
      let resDecision: Decision;
      try {
        resDecision = runChain(ir, { phase: 'response', response }, markers);
      } catch {
        if (deps.failMode === 'block') {
          return finish(json(403, openAiError('Response blocked: a policy could not be evaluated (fail-mode block).', 'policy_violation', 'policy_evaluation_failed'), id), { verdict: 'block', phase: 'response', error: 'policy_evaluation_failed', ...meta, ...costFields, ...decisionSummary(decisions) });
        }
        record.fail_open = { phase: 'response', error: 'policy_evaluation_failed' };
        resDecision = { verdict: 'allow', reasons: [], policies: [], redactions: [], response };
      }
      decisions.push(resDecision);
      if (resDecision.verdict === 'block' && !deps.reportOnly) {
        const reason = resDecision.reasons[resDecision.reasons.length - 1];
        return finish(json(403, openAiError(reason.message, 'policy_violation', 'output_blocked', { policy: reason.policy }), id), { verdict: 'block', phase: 'response', ...meta, ...costFields, ...decisionSummary(decisions) });
      }
      // Serialize only when a policy rewrote the answer or text it cannot check was dropped; otherwise pass the upstream bytes on.
      const stripped = policesOutput(ir) && !deps.reportOnly && stripUnpoliced(resDecision.response ?? response);
      const out = (resDecision.verdict === 'redact' || stripped) && !deps.reportOnly ? JSON.stringify(resDecision.response ?? response) : result.body.toString('utf8');
      return finish({ status: 200, headers: { 'content-type': JSON_TYPE, 'x-request-id': id }, body: out }, { verdict: verdictOf(decisions), ...meta, ...costFields, ...decisionSummary(decisions) });
    }

    // Streaming: an attempt lasts until the first client-visible byte, so fallback still works before it.
    interface Started {
      target: IrTarget;
      up: UpstreamStream;
      iterator: AsyncIterator<Uint8Array>;
      parser: SseParser;
      relay: StreamRelay;
      prefix: string[];
      done: boolean;
      blocked?: Reason;
      upstreamEnded: boolean;
      /** Bytes read from the upstream (size_limits.max_response_bytes). */
      bytes: number;
    }
    type StreamOk = { kind: 'ok'; s: Started } | { kind: 'fail'; res: ProxyResponse };
    const startStream = async (target: IrTarget): Promise<AttemptOutcome<StreamOk>> => {
      const fail = (r: ProxyResponse): StreamOk => ({ kind: 'fail', res: r });
      let up: UpstreamStream;
      try {
        up = await deps.upstream.post(`${baseUrlOf(target)}${upstreamPath}`, bodyFor(target), requestHeaders(target), target.timeouts ?? DEFAULT_TIMEOUTS, req.signal);
      } catch (e) {
        return transportFailure(e, fail, target);
      }
      if (up.status < 200 || up.status >= 300) return upstreamFailure(up, fail, target);
      const ct = String(up.headers['content-type'] ?? '');
      if (!ct.includes('text/event-stream')) {
        up.abort();
        return { ok: false, trigger: 'connection_error', error: 'connection_error:not_sse', failure: fail(json(502, openAiError(`Upstream ${target.id} did not answer with an event stream.`, 'upstream_error', 'bad_upstream_response'), id)) };
      }
      const scanner = ir.response.length > 0 && ir.pack.enabled ? createStreamScanner(ir, { markers }) : undefined;
      const s: Started = {
        target,
        up,
        iterator: up.body[Symbol.asyncIterator](),
        parser: new SseParser(),
        relay: new StreamRelay({ scanner, includeUsage, reportOnly: deps.reportOnly, failOpen: deps.failMode === 'allow', dropUnpoliced: Boolean(scanner) && policesOutput(ir) && !deps.reportOnly }),
        prefix: [],
        done: false,
        upstreamEnded: false,
        bytes: 0,
      };
      try {
        while (!s.relay.visible && !s.done && !s.blocked && !s.upstreamEnded) await pump(s, s.prefix);
      } catch (e) {
        up.abort();
        // A policy error is not the upstream's fault: no fallback, the fail mode decides.
        if (e instanceof PolicyEvalError) throw e;
        return transportFailure(e, fail, target);
      }
      return { ok: true, value: { kind: 'ok', s } };
    };
    /** Reads one upstream chunk into `out`. */
    const pump = async (s: Started, out: string[]): Promise<void> => {
      const next = await s.iterator.next();
      if (!next.done) {
        s.bytes += next.value.length;
        if (s.bytes > maxResponse) throw new UpstreamError('connection_error', 'response_too_large');
      }
      const payloads = next.done ? s.parser.end() : s.parser.push(next.value);
      if (next.done) s.upstreamEnded = true;
      for (const p of payloads) {
        let step;
        try {
          step = s.relay.handle(p);
        } catch (e) {
          if (e instanceof StreamPolicyError) throw new PolicyEvalError(e.message);
          throw e;
        }
        out.push(...step.out);
        if (step.blocked) {
          s.blocked = step.blocked;
          return;
        }
        if (step.done) {
          s.done = true;
          return;
        }
      }
    };

    const result = await state.runner.run<StreamOk>(startStream, attempts, (ms) => ({ kind: 'fail', res: allCooling(ms) }), req.signal).catch((e: unknown) => {
      if (e instanceof PolicyEvalError) return { kind: 'policy_error' as const };
      throw e;
    });
    if (result.kind === 'policy_error') {
      return finish(json(403, openAiError('Response blocked: a policy could not be evaluated (fail-mode block).', 'policy_violation', 'policy_evaluation_failed'), id), { verdict: 'block', phase: 'response', error: 'policy_evaluation_failed', ...decisionSummary(decisions) });
    }
    if (result.kind === 'fail') {
      return finish(req.signal?.aborted ? clientGone() : result.res, { verdict: 'error', ...(req.signal?.aborted ? { error: 'client_disconnected', client_disconnected: true } : { error: 'upstream_failed' }), ...decisionSummary(decisions) });
    }
    const s = result.s;
    usedTarget = s.target;
    const sentModel = s.target.model ?? requestedModel;
    const meta = { target: s.target.id, model: { requested: requestedModel, sent: sentModel } };
    const streamExtras = (): Record<string, unknown> => {
      const cost = priceUsage(s.relay.usage, s.relay.model ?? sentModel ?? '', s.target, costSettings);
      const byPolicy = s.relay.redactingPolicies;
      const policies = ir.response.map((n) => ({ policy: n.policy, kind: n.kind, outcome: byPolicy.has(n.policy) ? ('redact' as const) : (s.blocked ?? s.relay.reportedBlock)?.policy === n.policy ? ('block' as const) : ('allow' as const) }));
      const redactionDecision: Decision = { verdict: s.relay.redacted ? 'redact' : 'allow', reasons: [], policies, redactions: [] };
      if (s.relay.failedOpen) record.fail_open = { phase: 'response', error: 'policy_evaluation_failed' };
      const reported = s.relay.reportedBlock;
      if (reported) redactionDecision.reasons.push(reported);
      const summary = decisionSummary([...decisions, redactionDecision]);
      const counts = summary.redactions as Record<string, number>;
      for (const [entity, n] of Object.entries(s.relay.redactionCounts)) counts[entity] = (counts[entity] ?? 0) + n;
      return { ...meta, usage: s.relay.usage, cost, ...summary, ...(reported ? { verdict: 'block', phase: 'response' } : {}) };
    };
    if (s.blocked && !deps.reportOnly) {
      s.up.abort();
      const extras = streamExtras();
      // The block's reason joins the earlier ones (it is not among the relay's redactions).
      const reasons = [...(extras.reasons as Array<{ policy: string; code: string }>), { policy: s.blocked.policy, code: s.blocked.code }];
      return finish(json(403, openAiError(s.blocked.message, 'policy_violation', 'output_blocked', { policy: s.blocked.policy }), id), { ...extras, verdict: 'block', phase: 'response', reasons });
    }

    const events = async function* (): AsyncIterable<string> {
      let outcome: Record<string, unknown> = {};
      let status = 200;
      inFlight++;
      try {
        yield* s.prefix;
        while (!s.done && !s.blocked && !s.upstreamEnded) {
          const out: string[] = [];
          try {
            await pump(s, out);
          } catch (e) {
            if (e instanceof PolicyEvalError) {
              outcome = { verdict: 'block', phase: 'response', error: 'policy_evaluation_failed' };
              yield sseEvent(JSON.stringify(openAiError('Response stopped: a policy could not be evaluated.', 'policy_violation', 'policy_evaluation_failed')));
              return;
            }
            const aborted = req.signal?.aborted;
            const err = e instanceof StreamProtocolError ? { code: 'malformed_sse' } : classifyUpstreamError(e);
            outcome = aborted ? { verdict: 'error', error: 'client_disconnected', client_disconnected: true } : { verdict: 'error', error: `upstream_stream_error:${err.code}` };
            status = aborted ? 499 : 502;
            if (!aborted) {
              yield* out;
              yield sseEvent(JSON.stringify(openAiError(`The upstream stream from ${s.target.id} failed mid-answer (${err.code}).`, 'upstream_error', 'upstream_stream_error')));
            }
            return;
          }
          yield* out;
        }
        if (s.blocked && !deps.reportOnly) {
          outcome = { verdict: 'block', phase: 'response', reasons: [...(streamExtras().reasons as unknown[]), { policy: s.blocked.policy, code: s.blocked.code }] };
          yield sseEvent(JSON.stringify(openAiError(s.blocked.message, 'policy_violation', 'output_blocked', { policy: s.blocked.policy })));
          return;
        }
        if (!s.done) {
          // The upstream closed without [DONE]: flush what is held back, then say the answer is incomplete.
          const tail = s.relay.finish();
          if (tail.blocked && !deps.reportOnly) {
            outcome = { verdict: 'block', phase: 'response', reasons: [...(streamExtras().reasons as unknown[]), { policy: tail.blocked.policy, code: tail.blocked.code }] };
            yield sseEvent(JSON.stringify(openAiError(tail.blocked.message, 'policy_violation', 'output_blocked', { policy: tail.blocked.policy })));
            return;
          }
          yield* tail.out;
          outcome = { verdict: 'error', error: 'upstream_stream_incomplete' };
          status = 502;
          yield sseEvent(JSON.stringify(openAiError(`The upstream stream from ${s.target.id} ended without [DONE].`, 'upstream_error', 'upstream_stream_error')));
          return;
        }
        outcome = s.relay.reportedBlock ? {} : { verdict: s.relay.redacted ? 'redact' : verdictOf(decisions) };
        if (ir.audit?.durable) {
          // Durable: [DONE] is sent only once the record is on disk.
          const written = await finishStream();
          if (written === false) {
            yield sseEvent(JSON.stringify(openAiError('The audit log could not be written.', 'server_error', 'audit_unavailable')));
            return;
          }
        }
        yield SSE_DONE;
      } finally {
        s.up.abort();
        if (!finished) void finishStream();
        inFlight--;
      }

      async function finishStream(): Promise<boolean> {
        finished = true;
        const extras = streamExtras();
        const merged: Record<string, unknown> = { ...extras, ...outcome };
        if (req.signal?.aborted && !outcome.verdict) Object.assign(merged, { verdict: 'error', error: 'client_disconnected', client_disconnected: true });
        if (merged.reasons === undefined) merged.reasons = extras.reasons;
        processed++;
        const rec: AuditRecord = { ...record, ...merged, status: req.signal?.aborted ? 499 : status, latency_ms: now() - t0, attempts };
        observe(rec);
        try {
          await writeAudit(rec);
          return true;
        } catch {
          return false;
        }
      }
    };
    let finished = false;
    return { status: 200, headers: { ...SSE_HEADERS, 'x-request-id': id }, body: '', stream: events() };
  };

  const models = (id: string): ProxyResponse => {
    const { ir, runner } = deps.state();
    const seen = new Set<string>();
    const data = [];
    for (const t of runner.targets) {
      if (!t.model || seen.has(t.model)) continue;
      seen.add(t.model);
      data.push({ id: t.model, object: 'model', created: 0, owned_by: t.provider });
    }
    void ir;
    return json(200, { object: 'list', data }, id);
  };

  const reload = async (id: string): Promise<ProxyResponse> => {
    if (!deps.reload) return json(404, openAiError('Reload is not available for this gateway.', 'invalid_request_error', 'unknown_url'), id);
    try {
      const s = await deps.reload();
      return json(200, { status: 'reloaded', pack: packInfo(s) }, id);
    } catch (e) {
      return json(422, openAiError(`Reload rejected; the previous pack keeps serving. ${(e as Error).message}`, 'invalid_request_error', 'invalid_pack'), id);
    }
  };

  const notAllowed = (method: string, path: string, allowed: string, id: string): ProxyResponse =>
    json(405, openAiError(`Method ${method} not allowed on ${path}; use ${allowed}.`, 'invalid_request_error', 'method_not_allowed'), id, { allow: allowed });

  return {
    get inFlight() {
      return inFlight;
    },
    recordRefused(id, status, code) {
      const s = deps.state();
      if (!deps.audit || !s.ir.audit) return;
      processed++;
      void deps.audit({ id, time: new Date(now()).toISOString(), pack: packInfo(s), route: '(unknown)', verdict: 'error', status, latency_ms: 0, error: code }).catch(() => undefined);
    },
    async handle(req) {
      const id = newRequestId();
      const path = req.path.split('?')[0].replace(/\/+$/, '') || '/';
      inFlight++;
      // Chat and embeddings calls record themselves (a wrong method falls through to a short record like any refusal).
      if (((path === '/v1/chat/completions' || path === '/v1/embeddings') && req.method === 'POST') || path === '/health' || path === '/metrics') {
        try {
          return await route(req, id, path);
        } finally {
          inFlight--;
        }
      }
      // Every other request (refused routes, 404s, models, admin calls) gets a short record too: probes and refusals
      // are what an auditor looks for. Health checks and metric scrapes are not recorded (they would flood the log).
      const t0 = now();
      try {
        const res = await route(req, id, path);
        recordOther(req, id, path, res, t0);
        return res;
      } finally {
        inFlight--;
      }
    },
  };

  function recordOther(req: ProxyRequest, id: string, path: string, res: ProxyResponse, t0: number): void {
    const s = deps.state();
    const audit = s.ir.audit;
    if (!deps.audit || !audit) return;
    const verdict = res.status < 400 ? 'allow' : 'error';
    if (!audit.logAllAccess && verdict === 'allow') return;
    let code: string | undefined;
    if (res.status >= 400) {
      try {
        code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
    }
    processed++;
    // Only known routes are named: an unknown path is client text and could carry anything.
    void deps.audit({ id, time: new Date(t0).toISOString(), pack: packInfo(s), route: RECORDED_ROUTES.has(path) ? path : '(unknown)', method: /^[A-Z]{1,16}$/.test(req.method) ? req.method : 'OTHER', verdict, status: res.status, latency_ms: now() - t0, ...(code ? { error: code } : {}) }).catch(() => undefined);
  }

  async function route(req: ProxyRequest, id: string, path: string): Promise<ProxyResponse> {
      {
        if (req.bodyTooLarge !== undefined && path !== '/v1/chat/completions' && path !== '/v1/embeddings') {
          return json(413, openAiError(`Request body is larger than the limit of ${req.bodyTooLarge} bytes.`, 'invalid_request_error', 'request_too_large'), id);
        }
        switch (path) {
          case '/health':
            return health(id);
          case '/v1/chat/completions':
          case '/v1/embeddings':
            if (req.method !== 'POST') return notAllowed(req.method, path, 'POST', id);
            return await chat(req, id, path === '/v1/chat/completions' ? 'chat' : 'embeddings');
          case '/v1/models':
            if (deps.gatewayKeys && !deps.gatewayKeys.accepts(bearerOf(req.headers))) {
              return json(401, openAiError('Incorrect or missing gateway API key.', 'invalid_request_error', 'invalid_api_key'), id);
            }
            if (req.method !== 'GET') return notAllowed(req.method, path, 'GET', id);
            return models(id);
          case '/v1/responses':
          case '/v1/completions':
            return json(400, openAiError(`ktpack serve does not police ${path} yet, so it refuses it rather than pass it through unpoliced; use /v1/chat/completions.`, 'invalid_request_error', 'unsupported_endpoint'), id);
          case '/metrics':
          case '/ktpack/config':
          case '/keeptrusts/config':
          case '/ktpack/config/reload':
          case '/keeptrusts/config/reload':
            if (!isAdmin(req)) return json(403, openAiError('Admin endpoints answer only on loopback or with an admin key (x-ktpack-admin-key).', 'invalid_request_error', 'admin_only'), id);
            if (path === '/metrics') return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4', 'x-request-id': id }, body: metrics.render() };
            if (path.endsWith('/reload')) return req.method === 'POST' ? await reload(id) : notAllowed(req.method, path, 'POST', id);
            return configView(id);
          default:
            return json(404, openAiError(`Unknown request URL: ${req.method} ${path}. Please check the URL for typos.`, 'invalid_request_error', 'unknown_url'), id);
        }
      }
  }
}

/**
 * Timeouts of a request answered in one piece: its first byte comes only once the whole answer is generated (a long
 * completion or a reasoning model takes minutes), so first_byte_ms, which detects a stalled stream, does not apply;
 * total_ms bounds it.
 */
function wholeAnswerTimeouts(t: UpstreamTimeouts): UpstreamTimeouts {
  return t.firstByteMs >= t.totalMs ? t : { ...t, firstByteMs: t.totalMs };
}

/** True when the pack's response chain may redact or block answers (warn and log steps change nothing). */
function policesOutput(ir: PolicyIr): boolean {
  return ir.pack.enabled && ir.response.some((n) => n.action === 'block' || n.action === 'redact');
}

/** A request parameter that makes the answer carry text the response chain cannot check, if any. */
function unpolicedOutput(body: Record<string, unknown>): string | undefined {
  // Token logprobs spell out the raw answer token by token; audio output speaks it.
  if (body.logprobs === true) return 'logprobs';
  if (body.audio !== undefined && body.audio !== null) return 'audio';
  if (Array.isArray(body.modalities) && body.modalities.includes('audio')) return 'modalities';
  return undefined;
}

/** Message fields of an answer that are policed, or carry no free text of the model's; others are dropped. */
const POLICED_MESSAGE_KEYS = new Set(['role', 'content', 'refusal', 'tool_calls', 'function_call', 'annotations']);

/**
 * Drops what the response chain cannot check from an answer (logprobs, audio, a vendor's reasoning_content):
 * an upstream may send them unasked. True when something was dropped.
 */
function stripUnpoliced(response: ChatResponse): boolean {
  let changed = false;
  for (const c of Array.isArray(response.choices) ? response.choices : []) {
    const choice = c as unknown as Record<string, unknown>;
    if (choice.logprobs !== undefined && choice.logprobs !== null) {
      choice.logprobs = null;
      changed = true;
    }
    const message = choice.message as Record<string, unknown> | undefined;
    if (!message || typeof message !== 'object') continue;
    for (const k of Object.keys(message)) {
      if (!POLICED_MESSAGE_KEYS.has(k) && message[k] !== null && message[k] !== undefined) {
        delete message[k];
        changed = true;
      }
    }
  }
  return changed;
}

function verdictOf(decisions: Decision[]): 'allow' | 'redact' | 'block' {
  if (decisions.some((d) => d.verdict === 'block')) return 'block';
  return decisions.some((d) => d.verdict === 'redact') ? 'redact' : 'allow';
}

/** Counts of redactions by entity plus each policy's outcome; never raw values. */
function decisionSummary(decisions: Decision[]): Record<string, unknown> {
  // Plain loops: this runs on every request.
  const redactions: Record<string, number> = {};
  const policies: Array<Record<string, unknown>> = [];
  const reasons: Array<{ policy: string; code: string }> = [];
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i];
    for (const r of d.redactions) redactions[r.entity] = (redactions[r.entity] ?? 0) + 1;
    const phase = i === 0 ? 'request' : 'response';
    for (const p of d.policies) policies.push({ ...p, phase });
    for (const r of d.reasons) reasons.push({ policy: r.policy, code: r.code });
  }
  return { policies, reasons, redactions };
}

/** A URL without user:password. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** Passes an upstream error on, OpenAI-shaped and cleaned of anything key-like. */
function passUpstreamError(status: number, body: Buffer, id: string, extra: Record<string, string>, secrets: readonly string[]): ProxyResponse {
  let parsed: { error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } } | undefined;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const e = parsed?.error;
  const message = scrubSecrets(typeof e?.message === 'string' ? e.message : `Upstream answered HTTP ${status}.`, secrets);
  const clean = (v: unknown): string | null => (typeof v === 'string' ? scrubSecrets(v, secrets) : null);
  const type = clean(e?.type) ?? (status === 429 ? 'rate_limit_exceeded' : 'upstream_error');
  return json(status, openAiError(message, type, clean(e?.code), { param: clean(e?.param) }), id, extra);
}

/** Routes named in short audit records; any other path is recorded as "(unknown)". */
const RECORDED_ROUTES = new Set(['/v1/chat/completions', '/v1/embeddings', '/v1/responses', '/v1/completions', '/v1/models', '/ktpack/config', '/ktpack/config/reload', '/keeptrusts/config', '/keeptrusts/config/reload']);

const NO_BYTES = Buffer.alloc(0);

/** Top-level keys of the outbound body whose values may come from the pack, not the client's body. */
const PINNED_KEYS: ReadonlySet<string> = new Set(['model']);

/** Deeper request bodies are refused (400) before any policy walks them. */
const MAX_JSON_DEPTH = 48;

/** True when `value` nests objects/arrays deeper than `limit` (iterative: no stack overflow on hostile input). */
function nestingExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
