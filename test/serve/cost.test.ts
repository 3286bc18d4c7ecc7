// Cost attribution units: pricing precedence (target, pack, built-in), cached tokens, unknown models, tag reading.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DEFAULT_COST, priceUsage, readTags, TagSanitizer } from '../../src/serve/cost.js';
import type { IrTarget } from '../../src/runtime/types.js';

const target = (pricing: IrTarget['pricing']): IrTarget => ({ id: 't', provider: 'openai', model: null, baseUrl: 'x', secretEnv: null, apiKeyHeader: 'authorization', apiKeyPrefix: 'Bearer ', forwardClientKey: false, pricing, timeouts: { connectMs: 1, firstByteMs: 1, totalMs: 1 }, src: { file: 'x', path: 'x', line: 1 } });

const PRICES: Array<[string, Parameters<typeof priceUsage>, number | null]> = [
  ['built-in gpt-4o', [{ prompt_tokens: 1_000_000, completion_tokens: 1_000_000 }, 'gpt-4o', undefined, DEFAULT_COST], 12.5],
  ['dated snapshot', [{ prompt_tokens: 1_000_000, completion_tokens: 0 }, 'gpt-4o-mini-2024-07-18', undefined, DEFAULT_COST], 0.15],
  ['cached input tokens', [{ prompt_tokens: 1_000_000, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 500_000 } }, 'gpt-4o', undefined, DEFAULT_COST], 1.875],
  ['target pricing wins', [{ prompt_tokens: 1_000_000, completion_tokens: 1_000_000 }, 'gpt-4o', target({ inputPer1m: 1, outputPer1m: null, cachedInputPer1m: null }), DEFAULT_COST], 11],
  ['pack pricing for an unknown model', [{ prompt_tokens: 2_000_000, completion_tokens: 0 }, 'my-llm', undefined, { ...DEFAULT_COST, pricing: { 'my-llm': { inputPer1m: 3, outputPer1m: 4, cachedInputPer1m: null } } }], 6],
  ['unknown model: unknown cost, never zero', [{ prompt_tokens: 10, completion_tokens: 10 }, 'my-llm', undefined, DEFAULT_COST], null],
  ['no usage: unknown cost', [null, 'gpt-4o', undefined, DEFAULT_COST], null],
];

describe('priceUsage', () => {
  for (const [name, args, usd] of PRICES) it(name, () => expect(priceUsage(...args).usd).toBe(usd));
});

describe('readTags', () => {
  it('reads headers and body, drops junk, pseudonymises personal values', () => {
    const tags = readTags({ 'x-team-id': 'payments', 'x-project-id': 'has spaces' }, { user: 'jane@example.com', metadata: { env: 'prod', note: 'x'.repeat(200) } }, DEFAULT_COST);
    expect(tags).toEqual({ team: 'payments', user: expect.stringMatching(/^pii:[0-9a-f]{16}$/), env: 'prod' });
    expect(JSON.stringify(tags)).not.toContain('jane');
  });
  it('never stores a secret or personal data carried in a tag; personal values get a keyed pseudonym, not a bare hash', () => {
    const key = 'sk-proj-' + 'Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9';
    const headers = { 'x-team-id': key, 'x-project-id': '219-09-9999' };
    const body = { user: '415-555-0132', metadata: { iban: 'DE89370400440532013000', aws: 'AKIAIOSFODNN7EXAMPLF', env: 'prod' } };
    const a = new TagSanitizer('key-one');
    const tags = readTags(headers, body, DEFAULT_COST, a);
    expect(tags.team).toBe('[API_KEY]');
    expect(tags.aws).toBe('[API_KEY]');
    for (const k of ['project', 'user', 'iban']) expect(tags[k]).toMatch(/^pii:[0-9a-f]{16}$/);
    expect(tags.env).toBe('prod');
    const text = JSON.stringify(tags);
    for (const raw of [key, '219-09-9999', '555-0132', 'DE89370400440532013000', 'AKIAIOSFODNN7EXAMPLF']) expect(text).not.toContain(raw);
    // Unsalted sha256 of the SSN would be guessable by enumerating SSNs; the keyed pseudonym is not, and differs per key.
    expect(tags.project).not.toContain(createHash('sha256').update('219-09-9999').digest('hex').slice(0, 16));
    expect(readTags(headers, body, DEFAULT_COST, new TagSanitizer('key-one')).project).toBe(tags.project);
    expect(readTags(headers, body, DEFAULT_COST, new TagSanitizer('key-two')).project).not.toBe(tags.project);
  });
  it('keeps ordinary identifiers and model names as they are', () => {
    const s = new TagSanitizer('k');
    for (const v of ['payments', 'checkout-v2', 'team_42', 'gpt-4o-2024-08-06', 'ft:gpt-4o-mini:acme:custom:abc123', 'o3-mini']) expect(s.clean(v)).toBe(v);
  });
  it('reads at most 16 metadata pairs (as OpenAI accepts), so a request cannot inflate its audit record', () => {
    const metadata = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, `v${i}`]));
    expect(Object.keys(readTags({}, { metadata }, DEFAULT_COST))).toHaveLength(16);
  });
});
