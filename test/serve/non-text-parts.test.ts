// pii-detector non_text_parts: block behind ktpack serve: the official openai client gets a 403 naming the parts, the upstream sees nothing, the audit record has no part content.
import OpenAI, { PermissionDeniedError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords, packYaml, startFixture, type Fixture } from './gateway-fixture.js';

const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPj/HwAFgwJ/lV0xxQAAAABJRU5ErkJggg==';

describe('pii-detector non_text_parts: block behind ktpack serve', () => {
  let f: Fixture;
  let client: OpenAI;
  beforeAll(async () => {
    f = await startFixture(1, (urls) => packYaml({ targets: [{ id: 'a', url: urls[0], env: 'KEY_A' }], chain: ['pii-detector', 'audit-logger'], policy: '  pii-detector:\n    action: redact\n    non_text_parts: block\n' }));
    client = new OpenAI({ baseURL: `${f.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => f.close());

  it('refuses a chat request with an image_url part with PermissionDeniedError; the upstream sees no request; the audit record has no part content', async () => {
    const before = f.upstreams[0].requests.length;
    const err = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Describe images.' },
          { role: 'user', content: [{ type: 'image_url', image_url: { url: IMAGE } }, { type: 'text', text: 'What is in this picture?' }] },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    const api = err as PermissionDeniedError;
    expect(api.status).toBe(403);
    expect(api.code).toBe('input_blocked');
    expect(api.message).toContain('Request blocked: pii-detector cannot read image_url parts (messages[1].content[0])');
    expect(JSON.stringify(api.error)).not.toContain('iVBORw0KGgo');
    expect(f.upstreams[0].requests.length).toBe(before);

    const records = await auditRecords(f, 1);
    const rec = records[records.length - 1];
    expect(rec.verdict).toBe('block');
    expect(JSON.stringify(rec)).toContain('pii.unreadable_part');
    expect(JSON.stringify(rec)).not.toContain('iVBORw0KGgo');
  });

  it('a text-only request still passes (and is redacted as before)', async () => {
    const before = f.upstreams[0].requests.length;
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'mail amy@example.com' }] }] });
    expect(f.upstreams[0].requests.length).toBe(before + 1);
    expect(JSON.stringify(f.upstreams[0].requests[before].body)).toContain('[EMAIL_1]');
  });
});
