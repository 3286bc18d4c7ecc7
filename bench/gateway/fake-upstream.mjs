// Benchmark upstream: a loopback OpenAI-compatible server with a fixed answer, no delay, and a paced streaming variant.
// Run as a child process; prints one JSON line {"url"} on stdout when it listens.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
/**
 * Streaming answers: length, content chunks and the pause between them (ms), so inter-chunk delay is measurable.
 * The default streamed answer (1,200 characters) is longer than a scanning gateway's hold-back window.
 */
const streamChunks = Number(args['stream-chunks'] ?? 20);
const streamGapMs = Number(args['stream-gap-ms'] ?? 2);
const streamChars = Number(args['stream-chars'] ?? 1200);
const replyText = 'The quick brown fox jumps over the lazy dog. '.repeat(4).trim();
const streamText = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(streamChars / 45)).slice(0, streamChars);
const words = streamText.match(/\S+\s*/g);
const perChunk = Math.ceil(words.length / streamChunks);
const pieces = [];
for (let i = 0; i < words.length; i += perChunk) pieces.push(words.slice(i, i + perChunk).join(''));

const json = (res, status, body, extra = {}) => {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-request-id': `req_${randomUUID().replace(/-/g, '')}`, ...extra });
  res.end(payload);
};
const error = (res, status, message, type, code = null, extra = {}) => json(res, status, { error: { message, type, param: null, code } }, extra);

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0];
    // Fault injection for checks of the harness itself: `x-fake-status: 429` answers like OpenAI's rate limiter.
    const forced = Number(req.headers['x-fake-status'] ?? 0);
    if (forced === 429) return error(res, 429, 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded', { 'retry-after': '1' });
    if (forced >= 400) return error(res, forced, `The server had an error while processing your request (${forced}).`, 'server_error');
    if (req.method === 'GET' && path === '/v1/models') {
      return json(res, 200, { object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' }] });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return error(res, 404, `Unknown request URL: ${req.method} ${path}.`, 'invalid_request_error', 'unknown_url');
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    }
    if (!Array.isArray(body?.messages)) return error(res, 400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter');
    const id = `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body.model === 'string' ? body.model : 'gpt-4o';
    const promptTokens = Math.max(1, Math.ceil(JSON.stringify(body.messages).length / 4));
    const usage = { prompt_tokens: promptTokens, completion_tokens: 40, total_tokens: promptTokens + 40 };
    if (body.stream !== true) {
      return json(res, 200, {
        id, object: 'chat.completion', created, model, system_fingerprint: 'fp_bench',
        choices: [{ index: 0, message: { role: 'assistant', content: replyText, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_bench' };
    const events = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] }];
    for (const p of pieces) events.push({ ...base, choices: [{ index: 0, delta: { content: p }, logprobs: null, finish_reason: null }] });
    events.push({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] });
    if (body.stream_options?.include_usage) events.push({ ...base, choices: [], usage });
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i < events.length) {
        res.write(`data: ${JSON.stringify(events[i++])}\n\n`);
        if (i === 1 || streamGapMs === 0) return next();
        setTimeout(next, streamGapMs);
      } else res.end('data: [DONE]\n\n');
    };
    next();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
