// Proxy core: plain request data in, plain response out. Runs the chain, calls the upstream, records audit.
import { randomUUID } from 'node:crypto';
import { evaluate } from '../runtime/evaluate.js';
import { createMarkerTable } from '../runtime/step.js';
import type { ChatRequest, ChatResponse, Decision, IrTarget, PolicyIr } from '../runtime/types.js';
import type { AuditRecord } from './audit-sink.js';
import { openAiError, scrubSecrets } from './openai-errors.js';
import type { UpstreamClient } from './upstream.js';

/** An inbound HTTP request, reduced to what the core needs. */
export interface ProxyRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The response the adapter writes. */
export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Everything the core needs, injected. */
export interface ProxyDeps {
  ir: PolicyIr;
  irHash?: string;
  upstream: UpstreamClient;
  /** Env vars (upstream keys). */
  env: Record<string, string | undefined>;
  /** Overrides every target's base URL (debugging, tests, the embedded mock). */
  upstreamOverride?: string;
  /** Receives audit records; called after the response is decided. */
  audit?: (record: AuditRecord) => void;
  now?: () => number;
}

/** The proxy core. */
export interface ProxyCore {
  handle(req: ProxyRequest): Promise<ProxyResponse>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function json(status: number, body: unknown, requestId: string): ProxyResponse {
  return { status, headers: { ...JSON_HEADERS, 'x-request-id': requestId }, body: JSON.stringify(body) };
}

/** Creates the proxy core for one compiled pack. */
export function createProxyCore(deps: ProxyDeps): ProxyCore {
  const { ir } = deps;
  const now = deps.now ?? Date.now;
  const started = now();
  let processed = 0;

  const baseUrlOf = (t: IrTarget): string => (deps.upstreamOverride ?? t.baseUrl).replace(/\/+$/, '');

  const health = (id: string): ProxyResponse =>
    json(200, {
      status: 'healthy',
      uptime_seconds: Math.floor((now() - started) / 1000),
      pack: { name: ir.pack.name, version: ir.pack.version, ...(deps.irHash ? { hash: deps.irHash } : {}) },
      policies_loaded: ir.request.length + ir.response.length,
      requests_processed: processed,
    }, id);

  const chat = async (req: ProxyRequest, id: string): Promise<ProxyResponse> => {
    const t0 = now();
    const record: AuditRecord = {
      id,
      time: new Date(t0).toISOString(),
      pack: { name: ir.pack.name, version: ir.pack.version, ...(deps.irHash ? { hash: deps.irHash } : {}) },
    };
    const finish = (res: ProxyResponse, extra: Record<string, unknown>): ProxyResponse => {
      processed++;
      deps.audit?.({ ...record, ...extra, status: res.status, latency_ms: now() - t0 });
      return res;
    };
    const invalid = (message: string, code: string, param: string | null = null): ProxyResponse =>
      finish(json(400, openAiError(message, 'invalid_request_error', code, { param }), id), { verdict: 'error', error: code });

    let body: ChatRequest;
    try {
      body = JSON.parse(req.body.toString('utf8')) as ChatRequest;
    } catch {
      return invalid('We could not parse the JSON body of your request. (HINT: This likely means you are not sending valid JSON.)', 'invalid_json');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return invalid('The request body must be a JSON object.', 'invalid_request');
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return invalid("Missing required parameter: 'messages'.", 'missing_required_parameter', 'messages');
    }
    if (body.stream === true) {
      return invalid('Streaming is not supported by this ktpack build yet; send stream: false.', 'unsupported_parameter', 'stream');
    }
    const requestedModel = typeof body.model === 'string' ? body.model : null;
    record.model = { requested: requestedModel };
    const markers = createMarkerTable();

    const reqDecision = evaluate(ir, { phase: 'request', request: body }, { markers });
    if (reqDecision.verdict === 'block') {
      const reason = reqDecision.reasons[reqDecision.reasons.length - 1];
      return finish(
        json(403, openAiError(reason.message, 'policy_violation', 'input_blocked', { policy: reason.policy }), id),
        { verdict: 'block', phase: 'request', ...decisionSummary(reqDecision) },
      );
    }

    const target = ir.targets[0];
    if (!target) {
      return finish(json(503, openAiError('No upstream target is configured in this pack.', 'upstream_error', 'no_target'), id), { verdict: 'error' });
    }
    const outbound: ChatRequest = { ...reqDecision.request! };
    if (target.model) outbound.model = target.model;
    const key = target.secretEnv ? deps.env[target.secretEnv] : undefined;
    const headers: Record<string, string> = { 'x-request-id': id };
    if (key) headers.authorization = `Bearer ${key}`;
    let reply;
    try {
      reply = await deps.upstream.postJson(baseUrlOf(target), '/chat/completions', JSON.stringify(outbound), headers);
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'connection_error';
      return finish(
        json(502, openAiError(`Upstream ${target.id} could not be reached (${code}).`, 'upstream_error', 'upstream_unreachable'), id),
        { verdict: 'error', target: target.id, ...decisionSummary(reqDecision) },
      );
    }
    const upstreamMeta = { target: target.id, model: { requested: requestedModel, sent: outbound.model ?? null } };
    if (reply.status < 200 || reply.status >= 300) {
      return finish(passUpstreamError(reply.status, reply.body, id), { verdict: reqDecision.verdict, upstream_status: reply.status, ...upstreamMeta, ...decisionSummary(reqDecision) });
    }
    let response: ChatResponse;
    try {
      response = JSON.parse(reply.body.toString('utf8')) as ChatResponse;
    } catch {
      return finish(json(502, openAiError('Upstream returned a response that is not valid JSON.', 'upstream_error', 'bad_upstream_response'), id), { verdict: 'error', ...upstreamMeta });
    }
    const resDecision = evaluate(ir, { phase: 'response', response }, { markers });
    const usage = (response as { usage?: unknown }).usage ?? null;
    if (resDecision.verdict === 'block') {
      const reason = resDecision.reasons[resDecision.reasons.length - 1];
      return finish(
        json(403, openAiError(reason.message, 'policy_violation', 'output_blocked', { policy: reason.policy }), id),
        { verdict: 'block', phase: 'response', usage, ...upstreamMeta, ...decisionSummary(reqDecision, resDecision) },
      );
    }
    const verdict = reqDecision.verdict === 'redact' || resDecision.verdict === 'redact' ? 'redact' : 'allow';
    return finish(json(200, resDecision.response, id), { verdict, usage, ...upstreamMeta, ...decisionSummary(reqDecision, resDecision) });
  };

  return {
    async handle(req) {
      const id = `ktp_${randomUUID().replace(/-/g, '')}`;
      const path = req.path.split('?')[0].replace(/\/+$/, '') || '/';
      if (path === '/health' && req.method === 'GET') return health(id);
      if (path === '/v1/chat/completions') {
        if (req.method !== 'POST') return json(405, openAiError(`Method ${req.method} not allowed on ${path}; use POST.`, 'invalid_request_error', 'method_not_allowed'), id);
        return chat(req, id);
      }
      return json(404, openAiError(`Unknown request URL: ${req.method} ${path}.`, 'invalid_request_error', 'unknown_url'), id);
    },
  };
}

/** Counts of redactions by entity plus each policy's outcome; never raw values. */
function decisionSummary(...decisions: Decision[]): Record<string, unknown> {
  const redactions: Record<string, number> = {};
  for (const d of decisions) for (const r of d.redactions) redactions[r.entity] = (redactions[r.entity] ?? 0) + 1;
  return {
    policies: decisions.flatMap((d, i) => d.policies.map((p) => ({ ...p, phase: i === 0 ? 'request' : 'response' }))),
    reasons: decisions.flatMap((d) => d.reasons.map((r) => ({ policy: r.policy, code: r.code }))),
    redactions,
  };
}

/** Passes an upstream error on, OpenAI-shaped and cleaned of anything key-like. */
function passUpstreamError(status: number, body: Buffer, id: string): ProxyResponse {
  let parsed: { error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } } | undefined;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const e = parsed?.error;
  const message = scrubSecrets(typeof e?.message === 'string' ? e.message : `Upstream answered HTTP ${status}.`);
  return json(status, openAiError(message, typeof e?.type === 'string' ? e.type : 'upstream_error', typeof e?.code === 'string' ? e.code : null, { param: typeof e?.param === 'string' ? e.param : null }), id);
}
