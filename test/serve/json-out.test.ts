import { describe, expect, it } from 'vitest';
import { escapeFree, stringifyEscapeFree } from '../../src/serve/json-out.js';

/** Deterministic pseudo-random JSON values whose text has no backslash (mulberry32). */
function generator(seed: number) {
  let a = seed;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const chars = ['a', 'Z', ' ', '0', '/', '<', '\u00e9', '\u2028', '\u{1f600}', '\ufffd', '\u007f', "'", '{', ']', ':', ','];
  const str = (): string => Array.from({ length: Math.floor(rnd() * 12) }, () => chars[Math.floor(rnd() * chars.length)]).join('');
  const keys = ['model', 'messages', 'content', '__proto__', '0', '10', '2', 'toJSON', 'constructor', ''];
  const value = (depth: number): unknown => {
    const r = rnd();
    if (depth > 4 || r < 0.3) return [str(), 0, -1.5, 1e21, 123456789012345680000, true, false, null, 5e-324][Math.floor(rnd() * 9)];
    if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = 0; i < Math.floor(rnd() * 5); i++) Object.defineProperty(o, rnd() < 0.5 ? keys[Math.floor(rnd() * keys.length)] : str(), { value: value(depth + 1), enumerable: true, configurable: true, writable: true });
    return o;
  };
  return value;
}

describe('stringifyEscapeFree', () => {
  it('writes the same text as JSON.stringify for anything parsed from a body without a backslash', () => {
    let checked = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const text = JSON.stringify({ body: generator(seed)(0) });
      if (text.includes('\\')) continue;
      checked++;
      const raw = Buffer.from(text, 'utf8');
      expect(escapeFree(raw)).toBe(true);
      const parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      expect(stringifyEscapeFree(parsed, new Set())).toBe(JSON.stringify(parsed));
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('keeps own __proto__ keys, integer-key order and a pinned model as JSON.stringify does', () => {
    const raw = Buffer.from('{"b":1,"__proto__":{"x":"y"},"2":"two","1":[1,{"__proto__":null}],"model":"client"}');
    const parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    const outbound = { ...parsed, model: 'my "pinned"\nmodel', extra: undefined };
    expect(stringifyEscapeFree(outbound, new Set(['model']))).toBe(JSON.stringify(outbound));
    expect(JSON.parse(stringifyEscapeFree(outbound, new Set(['model']))).model).toBe('my "pinned"\nmodel');
  });

  it('is not used for bodies whose strings may need escaping', () => {
    for (const text of ['{"a":"say \\"hi\\""}', '{"a":"line\\nbreak"}', '{"a":"\\ud800"}', '{"a\\u0022":1}', '{"a":"\\u005c"}']) {
      expect(escapeFree(Buffer.from(text))).toBe(false);
    }
    // Invalid UTF-8 (an encoded surrogate) decodes to U+FFFD, which needs no escape.
    const raw = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]);
    const parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    expect(escapeFree(raw)).toBe(true);
    expect(stringifyEscapeFree(parsed, new Set())).toBe(JSON.stringify(parsed));
  });
});
