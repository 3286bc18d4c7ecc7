// SseParser: the same events however the bytes are chunked, with LF, CRLF and CR line ends, comments and multi-line data.
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/serve/sse.js';

/** Parses all of `bytes` fed in pieces of the given sizes (cycled). */
function parse(bytes: Uint8Array, sizes: number[]): string[] {
  const p = new SseParser();
  const out: string[] = [];
  for (let i = 0, k = 0; i < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(...p.push(bytes.subarray(i, i + n)));
    i += n;
  }
  out.push(...p.end());
  return out;
}

const STREAM = [
  'data: {"a":1}\n\n',
  ': keep-alive comment\n\n',
  'event: message\r\ndata: {"b":"two"}\r\n\r\n',
  'data: first line\ndata: second line\n\n',
  'data: {"c":"crlf and lf mixed"}\r\n\n',
  'data:{"d":"no space, CR only"}\r\r',
  'id: 7\nretry: 10\n\n',
  'data: {"e":"ünïcödé 😀"}\n\n',
  'data: [DONE]\n\n',
  'data: {"f":"unterminated at the end"}',
].join('');
const EXPECTED = ['{"a":1}', '{"b":"two"}', 'first line\nsecond line', '{"c":"crlf and lf mixed"}', '{"d":"no space, CR only"}', '{"e":"ünïcödé 😀"}', '[DONE]', '{"f":"unterminated at the end"}'];

describe('SseParser', () => {
  const bytes = new TextEncoder().encode(STREAM);

  it('reads the events of a stream given whole', () => {
    expect(parse(bytes, [bytes.length])).toEqual(EXPECTED);
  });

  it('reads the same events under every chunking: byte by byte, every two-piece split, and pseudo-random sizes', () => {
    expect(parse(bytes, [1])).toEqual(EXPECTED);
    for (let cut = 1; cut < bytes.length; cut++) expect(parse(bytes, [cut, bytes.length]), `split at ${cut}`).toEqual(EXPECTED);
    let seed = 11;
    for (let round = 0; round < 200; round++) {
      const sizes = Array.from({ length: 7 }, () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return 1 + (seed % 9);
      });
      expect(parse(bytes, sizes), `sizes ${sizes.join(',')}`).toEqual(EXPECTED);
    }
  });

  it('a CR at the end of a chunk followed by LF in the next is one line end, not a blank line', () => {
    const p = new SseParser();
    const enc = new TextEncoder();
    expect(p.push(enc.encode('data: x\r'))).toEqual([]);
    expect(p.push(enc.encode('\ndata: y\r'))).toEqual([]);
    expect(p.push(enc.encode('\n\r\n'))).toEqual(['x\ny']);
  });

  it('one event of several megabytes arriving in small pieces is read whole', () => {
    const big = `data: {"x":"${'a'.repeat(3 * 1024 * 1024)}"}\n\n`;
    const got = parse(new TextEncoder().encode(big), [16384]);
    expect(got).toHaveLength(1);
    expect(got[0].length).toBe(big.length - 8);
  });
});
