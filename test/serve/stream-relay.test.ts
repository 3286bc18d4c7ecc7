// StreamRelay on its own: fail-open mid-stream passes the held-back text on exactly once, whatever was released before.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { loadDocument } from '../../src/load/document.js';
import { createMarkerTable } from '../../src/runtime/step.js';
import { createStreamScanner, type StreamScanner } from '../../src/runtime/stream-scanner.js';
import { StreamRelay } from '../../src/serve/stream-relay.js';
import { SEED_PACK } from '../helpers/cli.js';

const seed = compile(loadDocument('policy-config.yaml', readFileSync(SEED_PACK, 'utf8'))).ir!;

/** The real scanner, failing (as an evaluator bug would) from its `failAt`-th push on. */
function failingScanner(failAt: number): StreamScanner {
  const real = createStreamScanner(seed, { markers: createMarkerTable() });
  let pushes = 0;
  return {
    push(field, delta) {
      if (++pushes >= failAt) throw new Error('evaluator bug');
      return real.push(field, delta);
    },
    end: (field) => real.end(field),
  };
}

const chunk = (content: string, finish: string | null = null): string =>
  JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: finish }] });

function relayText(relay: StreamRelay, pieces: string[]): string {
  let out = '';
  const take = (events: string[]): void => {
    for (const e of events) {
      const c = JSON.parse(e.slice('data: '.length)) as { choices: Array<{ delta?: { content?: string } }> };
      out += c.choices[0]?.delta?.content ?? '';
    }
  };
  for (const p of pieces) take(relay.handle(chunk(p)).out);
  take(relay.handle(chunk('', 'stop')).out);
  expect(relay.handle('[DONE]').done).toBe(true);
  return out;
}

describe('StreamRelay fail-open', () => {
  const text = `Mail a@b.io about it. ${'The figures are steady across regions. '.repeat(20)}Then write to c@d.io at the end.`;
  const pieces = text.match(/[\s\S]{1,9}/g)!;

  for (const failAt of [1, 2, 40, 80, pieces.length - 3]) {
    it(`a scanner failing at push ${failAt} of ${pieces.length}: nothing lost or repeated, earlier redactions kept`, () => {
      const relay = new StreamRelay({ scanner: failingScanner(failAt), includeUsage: false, reportOnly: false, failOpen: true });
      const out = relayText(relay, pieces);
      expect(relay.failedOpen).toBe(true);
      // What was released before the failure stays redacted; the rest arrives raw, once.
      expect(out.replace('[EMAIL_1]', 'a@b.io')).toBe(text);
      if (failAt > 40) expect(out.startsWith('Mail [EMAIL_1] about it.')).toBe(true);
    });
  }

  it('fail-mode block: the scanner error surfaces instead of passing text', () => {
    const relay = new StreamRelay({ scanner: failingScanner(3), includeUsage: false, reportOnly: false });
    expect(() => relayText(relay, pieces)).toThrow(/evaluator bug/);
  });
});
