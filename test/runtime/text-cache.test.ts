// The detectors' text cache: hits return what a scan returns, and memory stays bounded by entries and characters.
import { describe, expect, it } from 'vitest';
import { DETECTOR_CACHE_LIMITS, TextCache } from '../../src/runtime/text-cache.js';

describe('TextCache', () => {
  const counting = () => {
    let calls = 0;
    const compute = (t: string): number => (calls++, t.length);
    return { compute, calls: () => calls };
  };

  it('computes once per text within the limits, and every time outside them', () => {
    const cache = new TextCache<number>({ minLength: 4, maxLength: 10, maxEntries: 8, maxChars: 100 });
    const c = counting();
    for (let i = 0; i < 3; i++) expect(cache.get('hello', c.compute)).toBe(5);
    expect(c.calls()).toBe(1);
    for (let i = 0; i < 3; i++) cache.get('abc', c.compute); // too short
    for (let i = 0; i < 3; i++) cache.get('x'.repeat(11), c.compute); // too long
    expect(c.calls()).toBe(7);
    expect(cache.size).toEqual({ entries: 1, chars: 5 });
  });

  it('evicts the least recently used text first, by entries and by characters', () => {
    const cache = new TextCache<number>({ minLength: 1, maxLength: 100, maxEntries: 3, maxChars: 12 });
    const c = counting();
    for (const t of ['aaaa', 'bbbb', 'cccc']) cache.get(t, c.compute);
    cache.get('aaaa', c.compute); // a is now the most recent
    cache.get('dddd', c.compute); // 16 chars > 12: b goes (least recent)
    expect(cache.size).toEqual({ entries: 3, chars: 12 });
    const before = c.calls();
    cache.get('aaaa', c.compute);
    cache.get('cccc', c.compute);
    cache.get('dddd', c.compute);
    expect(c.calls()).toBe(before);
    cache.get('bbbb', c.compute);
    expect(c.calls()).toBe(before + 1);
  });

  it('a stream of large distinct texts never holds more than the character budget', () => {
    const cache = new TextCache<number>(DETECTOR_CACHE_LIMITS);
    const big = 'x'.repeat(DETECTOR_CACHE_LIMITS.maxLength - 10);
    for (let i = 0; i < 200; i++) cache.get(`${i}${big}`, (t) => t.length);
    expect(cache.size.chars).toBeLessThanOrEqual(DETECTOR_CACHE_LIMITS.maxChars);
    expect(cache.size.entries).toBeGreaterThan(0);
  });
});
