// Replays every conformance case through evaluate(), the emitted runtime.mjs (isolated, no node_modules) and ktpack serve.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/runtime/evaluate.js';
import { createMarkerTable } from '../../src/runtime/step.js';
import type { PolicyIr } from '../../src/runtime/types.js';
import { startMockUpstream, type MockUpstream } from '../../src/serve/mock-upstream.js';
import { ROOT, runCli, spawnServe } from '../helpers/cli.js';
import { caseFiles, expectDecision, loadCases, runCase, type CaseOutcome } from '../helpers/conformance.js';

/** Which pack each case file runs against. */
const PACK_OF: Record<string, string> = {
  'seed-gateway': 'packs/chatgpt-enterprise-gateway/policy-config.yaml',
};

for (const name of caseFiles()) {
  describe(`conformance: ${name}`, () => {
    const cases = loadCases(name);
    let bundle: string;
    let ir: PolicyIr;
    let expected: CaseOutcome[];

    beforeAll(async () => {
      expect(PACK_OF[name], `add ${name} to PACK_OF`).toBeDefined();
      bundle = join(mkdtempSync(join(tmpdir(), 'ktpack-conf-')), 'bundle');
      const r = await runCli(['build', join(ROOT, PACK_OF[name]), '-o', bundle]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      ir = JSON.parse(readFileSync(join(bundle, 'policy.ir.json'), 'utf8')) as PolicyIr;
      expected = cases.map((c) =>
        runCase(
          c,
          (request, env) => evaluate(ir, { phase: 'request', request }, env),
          (response, env) => evaluate(ir, { phase: 'response', response }, env),
          { markers: createMarkerTable() },
        ),
      );
    });

    for (const [i, c] of cases.entries()) {
      it(`evaluate(): ${c.name}`, () => expectDecision(c, expected[i]));
    }

    it('the emitted runtime.mjs, imported from a folder with no node_modules, decides identically (whole and streamed)', () => {
      const isolated = mkdtempSync(join(tmpdir(), 'ktpack-isolated-'));
      cpSync(bundle, isolated, { recursive: true });
      writeFileSync(join(isolated, 'cases.json'), JSON.stringify(cases));
      const script = `
        import { readFileSync } from 'node:fs';
        import { createStreamScanner, evaluateRequest, evaluateResponse } from './runtime.mjs';
        const runCase = ${runCase.toString()};
        const cases = JSON.parse(readFileSync('cases.json', 'utf8'));
        const out = cases.map((c) => runCase(c, evaluateRequest, evaluateResponse, { markers: { byValue: new Map(), counters: new Map() } }));
        // The streaming contract: each response choice's text streamed in 7-character chunks.
        const textAnswer = (c) => c.response && c.response.choices.every((ch) => typeof ch.message.content === 'string');
        const streamed = cases.filter(textAnswer).map((c) => {
          const env = { markers: { byValue: new Map(), counters: new Map() } };
          evaluateRequest(c.request, env);
          const scanner = createStreamScanner(env, { holdBack: 32 });
          return c.response.choices.map((choice, i) => {
            const field = 'choices[' + i + '].content';
            const text = choice.message.content;
            let got = '';
            for (let k = 0; k < text.length; k += 7) got += scanner.push(field, text.slice(k, k + 7)).text;
            return got + scanner.end(field).text;
          });
        });
        process.stdout.write(JSON.stringify({ out, streamed }));
      `;
      writeFileSync(join(isolated, 'replay.mjs'), script);
      const child = spawnSync(process.execPath, ['replay.mjs'], { cwd: isolated, encoding: 'utf8' });
      expect(child.stderr).toBe('');
      const { out, streamed } = JSON.parse(child.stdout);
      expect(out).toEqual(JSON.parse(JSON.stringify(expected)));
      const textAnswer = (c: (typeof cases)[number]): boolean => !!c.response && c.response.choices.every((ch) => typeof ch.message?.content === 'string');
      const wholeAnswers = cases.flatMap((c, i) => (textAnswer(c) ? [expected[i].response!.choices.map((ch) => ch.message!.content)] : []));
      expect(streamed).toEqual(wholeAnswers);
      expect(streamed.length).toBeGreaterThan(0);
    });

    describe('ktpack serve on the bundle', () => {
      let upstream: MockUpstream;
      let gateway: Awaited<ReturnType<typeof spawnServe>>;
      let client: OpenAI;

      beforeAll(async () => {
        upstream = await startMockUpstream();
        gateway = await spawnServe([bundle, '--listen', '127.0.0.1:0', '--upstream', upstream.url, '--audit-dir', join(bundle, '..', 'audit')], {
          OPENAI_API_KEY: 'sk-conformance-upstream-key',
        });
        client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      });
      afterAll(async () => {
        await gateway?.stop();
        await upstream?.close();
      });

      for (const [i, c] of cases.entries()) {
        it(c.name, async () => {
          const want = expected[i];
          const before = upstream.requests.length;
          if (c.response) {
            const body = JSON.stringify(c.response);
            upstream.script.push({ reply: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body) });
          }
          const got = await client.chat.completions.create(c.request as never).catch((e: unknown) => e);
          const seen = upstream.requests.slice(before);
          if (want.verdict === 'block') {
            expect(got).toBeInstanceOf(APIError);
            const e = got as APIError;
            expect(e.status).toBe(403);
            expect(e.code).toBe(c.response && seen.length > 0 ? 'output_blocked' : 'input_blocked');
            expect((e.error as { policy?: string }).policy).toBe(want.reasons[want.reasons.length - 1].policy);
            if (!c.response) expect(seen).toHaveLength(0);
            return;
          }
          expect(got).not.toBeInstanceOf(Error);
          expect(seen).toHaveLength(1);
          expect((seen[0].body as { messages: unknown }).messages).toEqual(want.request!.messages);
          if (c.response) expect((got as { choices: unknown }).choices).toEqual(want.response!.choices);
          // Every field the upstream sees (not only messages), and every field the client gets back.
          for (const s of c.expected.mustNotContain ?? []) {
            expect(JSON.stringify(seen[0].body), c.name).not.toContain(s);
            expect(JSON.stringify(got), c.name).not.toContain(s);
          }
        });
      }
    });
  });
}
