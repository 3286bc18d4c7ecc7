// pii-detector non_text_parts: block refuses requests holding parts the chain cannot read, through evaluate() and the emitted runtime.mjs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compile } from '../../src/compile/compile.js';
import { lintDocument } from '../../src/lint/lint.js';
import { loadDocument } from '../../src/load/document.js';
import { evaluate } from '../../src/runtime/evaluate.js';
import type { ChatRequest, PolicyIr } from '../../src/runtime/types.js';
import { runCli } from '../helpers/cli.js';

/** Compiles a one-policy pack, failing on any lint error or compile diagnostic. */
function packIr(policy: Record<string, Record<string, unknown>>): PolicyIr {
  const doc = loadDocument('policy-config.yaml', YAML.stringify({ pack: { name: 'nt', version: '1.0.0', enabled: true }, providers: { targets: [{ id: 't', provider: 'openai:chat:gpt-4o-mini' }] }, policies: { chain: Object.keys(policy) }, policy }));
  expect(lintDocument(doc).filter((d) => d.severity === 'error')).toEqual([]);
  const { ir, diagnostics } = compile(doc);
  expect(diagnostics).toEqual([]);
  return ir!;
}

const FILE_DATA = 'data:application/pdf;base64,U1NOIDEyMy00NS02Nzg5IGFteUBleGFtcGxlLmNvbQ==';
const IMAGE_URL = 'https://example.com/scan-of-amy@example.com.png';

const withParts: ChatRequest = {
  messages: [
    { role: 'system', content: 'You read documents.' },
    {
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: IMAGE_URL } },
        { type: 'text', text: 'What does this say?' },
        { type: 'file', file: { file_data: FILE_DATA, filename: 'amy-ssn.pdf' } },
      ],
    },
  ],
} as unknown as ChatRequest;
const textOnly: ChatRequest = {
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarise the plan.' }] }, { role: 'user', content: 'And the risks.' }],
};
const audio: ChatRequest = {
  messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }] }],
} as unknown as ChatRequest;
const unknownType: ChatRequest = {
  messages: [{ role: 'user', content: [{ type: 'video_url', video_url: { url: 'https://example.com/v.mp4' } }] }],
} as unknown as ChatRequest;

const MESSAGE = 'Request blocked: pii-detector cannot read image_url and file parts (messages[1].content[0], messages[1].content[2])';

describe('pii-detector non_text_parts', () => {
  it('block refuses a request with an image and a file part, naming paths and types, never content; the default (allow) passes it on unread', () => {
    const allowed = evaluate(packIr({ 'pii-detector': {} }), { phase: 'request', request: withParts });
    expect(allowed.verdict).toBe('allow');
    expect(allowed.request).toBe(withParts);
    const d = evaluate(packIr({ 'pii-detector': { non_text_parts: 'block' } }), { phase: 'request', request: withParts });
    expect(d.verdict).toBe('block');
    expect(d.reasons.map((r) => [r.code, r.message])).toEqual([['pii.unreadable_part', MESSAGE]]);
    expect(d.request).toBeUndefined();
    const out = JSON.stringify(d);
    for (const secret of [IMAGE_URL, FILE_DATA, 'amy-ssn.pdf', 'amy@example.com']) expect(out).not.toContain(secret);
  });

  it('blocks whatever the action (redact cannot redact an image)', () => {
    for (const action of ['redact', 'block']) {
      const d = evaluate(packIr({ 'pii-detector': { action, non_text_parts: 'block' } }), { phase: 'request', request: withParts });
      expect(d.reasons.map((r) => r.code)).toEqual(['pii.unreadable_part']);
    }
  });

  it('blocks audio and unknown part types too', () => {
    const ir = packIr({ 'pii-detector': { non_text_parts: 'block' } });
    expect(evaluate(ir, { phase: 'request', request: audio }).reasons[0].message).toBe('Request blocked: pii-detector cannot read input_audio parts (messages[0].content[0])');
    expect(evaluate(ir, { phase: 'request', request: unknownType }).reasons[0].message).toBe('Request blocked: pii-detector cannot read video_url parts (messages[0].content[0])');
    // A part type is client text that reaches messages and audit records: one that is not a plain type name is not echoed.
    const odd = { messages: [{ role: 'user', content: [{ type: 'ssn_123-45-6789', data: 'x' }] }] } as unknown as ChatRequest;
    expect(evaluate(ir, { phase: 'request', request: odd }).reasons[0].message).toBe('Request blocked: pii-detector cannot read unknown parts (messages[0].content[0])');
  });

  it('a text-only request is unaffected by block', () => {
    const d = evaluate(packIr({ 'pii-detector': { non_text_parts: 'block' } }), { phase: 'request', request: textOnly });
    expect(d.verdict).toBe('allow');
    const redacted = evaluate(packIr({ 'pii-detector': { non_text_parts: 'block' } }), { phase: 'request', request: { messages: [{ role: 'user', content: [{ type: 'text', text: 'mail amy@example.com' }] }] } });
    expect(redacted.verdict).toBe('redact');
  });

  it('the IR carries nonTextParts', () => {
    expect(packIr({ 'pii-detector': { non_text_parts: 'block' } }).request[0].options).toMatchObject({ nonTextParts: 'block' });
    expect(packIr({ 'pii-detector': {} }).request[0].options).toMatchObject({ nonTextParts: 'allow' });
  });
});

const PACK = (mode: string) => `pack:
  name: non-text
  version: 1.0.0
  enabled: true
providers:
  targets:
    - id: main
      provider: openai:chat:gpt-4o-mini
policies:
  chain: [pii-detector]
policy:
  pii-detector:
    non_text_parts: ${mode}
`;

describe('the emitted runtime.mjs', () => {
  it.each(['block', 'allow'])('decides non_text_parts: %s exactly as evaluate() does', async (mode) => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-non-text-'));
    writeFileSync(join(dir, 'policy-config.yaml'), PACK(mode));
    const r = await runCli(['build', join(dir, 'policy-config.yaml'), '-o', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    const runtime = join(dir, 'out', 'runtime.mjs');
    expect(readFileSync(runtime, 'utf8')).not.toMatch(/^\s*import\s/m);
    const requests = [withParts, textOnly, audio, unknownType];
    const script = `import { evaluateRequest } from ${JSON.stringify(runtime)};
      process.stdout.write(JSON.stringify(JSON.parse(process.argv[1]).map((q) => evaluateRequest(q))));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(requests)], { cwd: dir, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const standalone = JSON.parse(child.stdout) as Array<{ verdict: string; reasons: Array<{ message: string }> }>;
    const ir = JSON.parse(readFileSync(join(dir, 'out', 'policy.ir.json'), 'utf8')) as PolicyIr;
    expect(standalone).toEqual(JSON.parse(JSON.stringify(requests.map((request) => evaluate(ir, { phase: 'request', request })))));
    expect(standalone.map((d) => d.verdict)).toEqual(mode === 'block' ? ['block', 'allow', 'block', 'block'] : ['allow', 'allow', 'allow', 'allow']);
    if (mode === 'block') expect(standalone[0].reasons[0].message).toBe(MESSAGE);
  });
});
