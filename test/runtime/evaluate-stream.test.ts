// The streaming scanner releases exactly what evaluate() would produce, never a byte of a span, under any chunking.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { loadDocument } from '../../src/load/document.js';
import { evaluate } from '../../src/runtime/evaluate.js';
import { createMarkerTable } from '../../src/runtime/step.js';
import { createStreamScanner } from '../../src/runtime/stream-scanner.js';
import type { PolicyIr } from '../../src/runtime/types.js';
import { MINI_PACK, SEED_PACK } from '../helpers/cli.js';

const seedYaml = readFileSync(SEED_PACK, 'utf8');
const irOf = (yaml: string): PolicyIr => compile(loadDocument('policy-config.yaml', yaml)).ir!;
const seed = irOf(seedYaml);
const blocking = irOf(seedYaml.replace('action: redact', 'action: block'));
// pii-detector with no entity list detects every built-in entity.
const allEntities = irOf(seedYaml.replace(/ {4}entities:\n( {6}- \w+\n)+/, ''));

const TEXTS = [
  'Contact jane.doe@example.com or call (555) 867-5309 today.',
  'SSN 123-45-6789, card 4111 1111 1111 1111, and again jane.doe@example.com; bye',
  `${'lorem ipsum '.repeat(30)}write to bob.smith@corp.example.org${' dolor sit'.repeat(20)} 078-05-1120 end`,
  'No personal data in here at all, just words and numbers like 2024-03-15 and 42.',
  'emoji 😀 before a@b.io and 😀 after',
];

/** Deterministic pseudo-random chunk sizes. */
function chunkings(text: string): string[][] {
  const out: string[][] = [[text], [...text]];
  for (let cut = 1; cut < text.length; cut += Math.max(1, Math.floor(text.length / 23))) out.push([text.slice(0, cut), text.slice(cut)]);
  let seedN = 7;
  for (let k = 0; k < 5; k++) {
    const parts: string[] = [];
    for (let i = 0; i < text.length; ) {
      seedN = (seedN * 1103515245 + 12345) % 2 ** 31;
      const n = 1 + (seedN % 9);
      parts.push(text.slice(i, i + n));
      i += n;
    }
    out.push(parts);
  }
  return out;
}

function stream(ir: PolicyIr, parts: string[], holdBack?: number, field = 'choices[0].content') {
  const scanner = createStreamScanner(ir, { markers: createMarkerTable() }, { holdBack });
  const released: string[] = [];
  let blocked;
  for (const p of parts) {
    const r = scanner.push(field, p);
    released.push(r.text);
    blocked ??= r.blocked;
  }
  const r = scanner.end(field);
  released.push(r.text);
  blocked ??= r.blocked;
  return { released, text: released.join(''), blocked };
}

const whole = (ir: PolicyIr, text: string) =>
  evaluate(ir, { phase: 'response', response: { choices: [{ index: 0, message: { role: 'assistant', content: text } }] } }, { markers: createMarkerTable() });

describe('createStreamScanner', () => {
  for (const holdBack of [undefined, 40]) {
    for (const text of TEXTS) {
      it(`releases what evaluate() produces under every chunking (holdBack ${holdBack ?? 'default'}): ${text.slice(0, 30)}`, () => {
        const expected = whole(seed, text).response?.choices[0].message?.content ?? text;
        for (const parts of chunkings(text)) {
          const got = stream(seed, parts, holdBack);
          expect(got.blocked).toBeUndefined();
          expect(got.text).toBe(expected);
        }
      });
    }
  }

  const SPACED = [
    'wire to DE89 3704 0044 0532 0130 00 today, or GB82WEST12345698765432 tomorrow',
    `${'pad '.repeat(20)}hosts 192.168.10.20 and 2001:db8::8a2e:370:7334 ${'tail '.repeat(15)}call +44 20 7946 0958 or +1 415 555 2671.`,
  ];
  for (const text of SPACED) {
    it(`entities with inner spaces and colons never split: ${text.slice(0, 30)}`, () => {
      const expected = whole(allEntities, text).response!.choices[0].message!.content;
      expect(expected).not.toBe(text);
      for (const holdBack of [40, 256]) {
        for (const parts of chunkings(text)) expect(stream(allEntities, parts, holdBack).text).toBe(expected);
      }
    });
  }

  it('fuzz: random texts of words and entities, random chunks and windows, match evaluate()', () => {
    const SAMPLES = [
      'jane.doe@example.com', '(555) 867-5309', '+44 20 7946 0958', '123-45-6789', '4111 1111 1111 1111', '5555-5555-5555-4444',
      'DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', '192.168.10.20', '2001:db8::8a2e:370:7334', 'a@b.io',
    ];
    const WORDS = ['the', 'invoice', 'call', 'me', 'at', 'or', '42', '2024-03-15', 'v1.2.3', 'ok,', 'done.', '\n', '😀', 'x-y'];
    let seedN = 12345;
    const rnd = (n: number): number => {
      seedN = (seedN * 1103515245 + 12345) % 2 ** 31;
      return seedN % n;
    };
    for (let round = 0; round < 150; round++) {
      const parts: string[] = [];
      for (let w = 0, n = 5 + rnd(40); w < n; w++) parts.push(rnd(5) === 0 ? SAMPLES[rnd(SAMPLES.length)] : WORDS[rnd(WORDS.length)]);
      const text = parts.join(rnd(2) ? ' ' : '  ');
      const ir = round % 2 ? allEntities : seed;
      const expected = whole(ir, text).response?.choices[0].message?.content ?? text;
      const chunks: string[] = [];
      for (let i = 0; i < text.length; ) {
        const n = 1 + rnd(12);
        chunks.push(text.slice(i, i + n));
        i += n;
      }
      expect(stream(ir, chunks, 40 + rnd(220)).text, text).toBe(expected);
    }
  });

  it('holds back at most the window: long clean text flows before the stream ends', () => {
    const text = 'word '.repeat(200);
    const got = stream(seed, [...text], 40);
    const beforeEnd = got.released.slice(0, -1).join('');
    expect(beforeEnd.length).toBeGreaterThanOrEqual(text.length - 41);
  });

  it('never releases a byte of a span that blocks, and reports the block', () => {
    for (const text of TEXTS.slice(0, 3)) {
      const spanStart = whole(seed, text).redactions[0].start;
      for (const parts of chunkings(text)) {
        const got = stream(blocking, parts, 40);
        expect(got.blocked?.code).toBe('pii.detected');
        expect(text.startsWith(got.text)).toBe(true);
        expect(got.text.length).toBeLessThanOrEqual(spanStart);
      }
    }
  });

  it('reports redactions with offsets into the whole field and consistent markers', () => {
    const text = `${'x '.repeat(100)}mail a@b.io then ${'y '.repeat(100)}again a@b.io`;
    const scanner = createStreamScanner(seed, { markers: createMarkerTable() }, { holdBack: 32 });
    const redactions = [];
    let out = '';
    for (const c of text.match(/.{1,7}/gs)!) {
      const r = scanner.push('choices[0].content', c);
      out += r.text;
      redactions.push(...r.redactions);
    }
    const r = scanner.end('choices[0].content');
    out += r.text;
    redactions.push(...r.redactions);
    expect(out).toContain('mail [EMAIL_1] then');
    expect(out).toContain('again [EMAIL_1]');
    expect(redactions.map((x) => [x.path, x.entity, text.slice(x.start, x.end), x.marker])).toEqual([
      ['choices[0].content', 'EMAIL', 'a@b.io', '[EMAIL_1]'],
      ['choices[0].content', 'EMAIL', 'a@b.io', '[EMAIL_1]'],
    ]);
  });

  it('a long stream keeps whole-field offsets and the same output after earlier text is dropped', () => {
    // The scanner keeps only the window and its context; offsets must still index the whole field.
    const words = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'report', 'figures', '2024-03-15'];
    const pieces: string[] = [];
    for (let i = 0; i < 6000; i++) pieces.push(i % 97 === 0 ? `user${i}@example.com` : words[(i * 7) % words.length]);
    const text = pieces.join(' ');
    const scanner = createStreamScanner(seed, { markers: createMarkerTable() });
    let out = '';
    const redactions = [];
    let seedN = 3;
    for (let i = 0; i < text.length; ) {
      seedN = (seedN * 1103515245 + 12345) % 2 ** 31;
      const n = 1 + (seedN % 13);
      const r = scanner.push('choices[0].content', text.slice(i, i + n));
      out += r.text;
      redactions.push(...r.redactions);
      i += n;
    }
    const last = scanner.end('choices[0].content');
    out += last.text;
    redactions.push(...last.redactions);
    expect(out).toBe(whole(seed, text).response!.choices[0].message!.content);
    expect(redactions.length).toBe(pieces.filter((p) => p.includes('@')).length);
    for (const r of redactions) expect(text.slice(r.start, r.end)).toMatch(/^user\d+@example\.com$/);
  });

  it('shares markers with the request phase and keeps tool-call arguments valid JSON', () => {
    const markers = createMarkerTable();
    evaluate(seed, { phase: 'request', request: { messages: [{ role: 'user', content: 'I am jane@example.com' }] } }, { markers });
    const scanner = createStreamScanner(seed, { markers }, { holdBack: 16 });
    const args = JSON.stringify({ to: 'jane@example.com', cc: 'amy@example.com', body: 'hello '.repeat(10) });
    let out = '';
    for (const c of args.match(/.{1,5}/gs)!) out += scanner.push('choices[0].tool_calls[0].function.arguments', c).text;
    out += scanner.end('choices[0].tool_calls[0].function.arguments').text;
    expect(JSON.parse(out)).toEqual({ to: '[EMAIL_1]', cc: '[EMAIL_2]', body: 'hello '.repeat(10) });
  });

  it('fields are independent: interleaved choices each get their own window', () => {
    const scanner = createStreamScanner(seed, {}, { holdBack: 16 });
    const a = 'first choice mails x@y.io now';
    const b = 'second choice calls 555-867-5309 now';
    let outA = '';
    let outB = '';
    for (let i = 0; i < Math.max(a.length, b.length); i += 3) {
      outA += scanner.push('choices[0].content', a.slice(i, i + 3)).text;
      outB += scanner.push('choices[1].content', b.slice(i, i + 3)).text;
    }
    outA += scanner.end('choices[0].content').text;
    outB += scanner.end('choices[1].content').text;
    expect([outA, outB]).toEqual(['first choice mails [EMAIL_1] now', 'second choice calls [PHONE_1] now']);
  });

  it('a hold-back that is not a finite number keeps the default window (nothing of a span leaks early)', () => {
    for (const holdBack of [Number.NaN, Number.POSITIVE_INFINITY, '64' as unknown as number]) {
      const got = stream(seed, ['mail jane', '.doe@exa', 'mple.com', ' now'], holdBack);
      expect(got.released.slice(0, -1).join(''), String(holdBack)).not.toMatch(/jane|doe|exa/);
      expect(got.text).toBe('mail [EMAIL_1] now');
    }
  });

  it('passes text straight through when the pack has no response policies', () => {
    const mini = irOf(readFileSync(MINI_PACK, 'utf8'));
    const scanner = createStreamScanner(mini);
    expect(scanner.push('choices[0].content', 'jane@example.com').text).toBe('jane@example.com');
  });
});
