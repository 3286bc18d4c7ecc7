// Runs policy test cases (tests/*.json beside a pack and inline testing.suites) against the compiled pack.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics.js';
import { parseJsonText } from '../json-text.js';
import { loadPackFile } from '../pack.js';
import { evaluate } from '../runtime/evaluate.js';
import { createMarkerTable } from '../runtime/step.js';
import type { ChatRequest, ChatResponse, Decision, PolicyIr, PolicyResult, Redaction } from '../runtime/types.js';
import { loadSchema } from '../schemas.js';
import { requirePrecompiled } from '../validate/precompiled.js';

/** One test case, as in testing.schema.json (TestCase). */
export interface PolicyTestCase {
  name: string;
  input: {
    messages?: ChatRequest['messages'];
    headers?: Record<string, string>;
    request?: Record<string, unknown>;
    upstream_response?: Record<string, unknown>;
    proxy_name?: string;
    team_slugs?: string[];
  };
  expected: { verdict: 'allow' | 'redact' | 'block' | 'escalate'; reason_code?: string };
}

/** A policy's outcome in one phase of a test. */
export interface PhasedPolicyResult extends PolicyResult {
  phase: 'request' | 'response';
}

/** The result of one test case. */
export interface TestResult {
  /** `suite/case` for inline suites, the case name for files. */
  name: string;
  /** Pack folder, relative to the working directory. */
  pack: string;
  /** Where the case is defined: `tests/x.json` or `policy-config.yaml:LINE`. */
  file: string;
  suite?: string;
  passed: boolean;
  verdict: Decision['verdict'] | 'error';
  reason_code: string | null;
  expected: PolicyTestCase['expected'] | null;
  /** Why the case could not run (bad file, bad input); the case fails. */
  error?: string;
  /** Why it failed, one line per mismatch. */
  failures: string[];
  details: {
    policy_results: PhasedPolicyResult[];
    /** Entity, place and offsets only; never the value. */
    redactions: Array<Pick<Redaction, 'entity' | 'policy' | 'path' | 'start' | 'end'> & { phase: 'request' | 'response' }>;
    quality_scores: null;
  };
}

/** One pack's run. */
export interface PackRun {
  pack: string;
  ir?: PolicyIr;
  /** Lint/compile errors that stopped the pack from running. */
  diagnostics: Diagnostic[];
  results: TestResult[];
}

/** Options of {@link runPolicyTests}. */
export interface RunTestsOptions {
  cwd: string;
  /** Only cases whose full name matches. */
  filter?: RegExp;
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage']);

/** File names of a pack in its folder, in order of preference (`ktpack lint` accepts both). */
export const PACK_FILES = ['policy-config.yaml', 'policy-config.yml'] as const;

/** Pack files under `target`: the file itself, the folder's policy-config.yaml, or every one in the tree. */
export async function findPacks(target: string): Promise<string[]> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [target];
  for (const name of PACK_FILES) {
    const own = join(target, name);
    if (await stat(own).catch(() => undefined)) return [own];
  }
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true }).catch(() => [])).sort((a, b) => (a.name < b.name ? -1 : 1));
    // One pack per folder, as `ktpack lint` finds them: policy-config.yaml, else policy-config.yml.
    const own = PACK_FILES.find((name) => entries.some((e) => e.isFile() && e.name === name));
    if (own) out.push(join(dir, own));
    for (const e of entries) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(join(dir, e.name));
    }
  };
  await walk(target);
  return out;
}

let validateCase: ValidateFunction | undefined;

/**
 * The validator of one test case (the TestCase schema in schemas/testing.schema.json): precompiled by
 * scripts/build-validators.mjs, so `ktpack test` and `ktpack eval` do not load ajv; compiled with ajv when
 * running from source, with the same options as the build script.
 */
function caseValidator(): ValidateFunction {
  validateCase ??= requirePrecompiled<ValidateFunction>('test-case-validator.cjs', import.meta.url);
  if (validateCase) return validateCase;
  const testingSchema = loadSchema('testing.schema.json') as {
    properties: { suites: { items: { properties: { cases: { items: Record<string, unknown> } } } } };
  };
  const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return (validateCase = new Ajv2020({ allErrors: true, strict: false }).compile(testingSchema.properties.suites.items.properties.cases.items));
}

/** Runs every test of the pack at `packFile`. */
export async function runPackTests(packFile: string, options: RunTestsOptions): Promise<PackRun> {
  const packDir = dirname(packFile);
  const rel = relative(options.cwd, packDir);
  const pack = rel.startsWith('..') ? packDir : rel || '.';
  const loaded = await loadPackFile(packFile);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.ir || errors.length > 0) return { pack, diagnostics: errors, results: [] };
  const ir = loaded.ir;
  const results: TestResult[] = [];
  const keep = (name: string): boolean => !options.filter || options.filter.test(name);

  const testsDir = join(packDir, 'tests');
  const files = (await readdir(testsDir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.name.endsWith('.json') && !e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const f of files) {
    const file = `tests/${f}`;
    let text: string;
    try {
      text = await readFile(join(testsDir, f), 'utf8');
    } catch (e) {
      if (keep(f)) results.push(errorResult(f, pack, file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'I/O error'})`));
      continue;
    }
    const parsed = parseJsonText(text);
    if (!parsed.ok) {
      if (keep(f)) results.push(errorResult(f, pack, file, `not valid JSON: ${parsed.error}`));
      continue;
    }
    const cases = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
    if (cases.length === 0) {
      // An empty file must not let a suite look green.
      if (keep(f)) results.push(errorResult(f, pack, file, 'no test cases (an empty array)'));
      continue;
    }
    cases.forEach((c, i) => {
      const name = typeof (c as { name?: unknown })?.name === 'string' ? (c as { name: string }).name : `${basename(f, '.json')}[${i}]`;
      if (!keep(name)) return;
      const where = cases.length > 1 ? `${file}[${i}]` : file;
      const validate = caseValidator();
      if (!validate(c)) {
        const why = (validate.errors ?? []).map(caseSchemaError).join('; ');
        results.push(errorResult(name, pack, where, `not a valid test case: ${why}`));
        return;
      }
      results.push(runCase(ir, c as PolicyTestCase, { name, pack, file: where }));
    });
  }

  const doc = loaded.document;
  const suites = ((doc?.data as { testing?: { suites?: Array<{ name: string; assertions?: unknown[]; cases: PolicyTestCase[] }> } } | undefined)?.testing?.suites ?? []);
  const seen = new Set<string>();
  suites.forEach((suite, si) => {
    // Checks ktpack cannot run must not pass silently: every case of such a suite fails, saying why.
    const unsupported = seen.has(suite.name)
      ? `suite name "${suite.name}" is used twice; suite names must be unique`
      : (suite.assertions?.length ?? 0) > 0
        ? `suite "${suite.name}" has assertions, which ktpack test does not evaluate; remove them or state the check as expected.verdict / expected.reason_code`
        : null;
    seen.add(suite.name);
    suite.cases.forEach((c, ci) => {
      const name = `${suite.name}/${c.name}`;
      if (!keep(name)) return;
      const line = doc!.lineOf(['testing', 'suites', si, 'cases', ci]);
      const at = { name, pack, file: `${basename(packFile)}:${line}`, suite: suite.name };
      results.push(unsupported ? { ...errorResult(name, pack, at.file, unsupported), suite: suite.name } : runCase(ir, c, at));
    });
  });
  return { pack, ir, diagnostics: [], results };
}

/** Runs every pack found under `target`. */
export async function runPolicyTests(target: string, options: RunTestsOptions): Promise<PackRun[]> {
  const runs: PackRun[] = [];
  for (const packFile of await findPacks(target)) runs.push(await runPackTests(packFile, options));
  return runs;
}

function errorResult(name: string, pack: string, file: string, error: string): TestResult {
  return {
    name,
    pack,
    file,
    passed: false,
    verdict: 'error',
    reason_code: null,
    expected: null,
    error,
    failures: [error],
    details: { policy_results: [], redactions: [], quality_scores: null },
  };
}

/** An ajv error of the TestCase schema as one readable line. */
function caseSchemaError(e: { instancePath: string; message?: string; params: Record<string, unknown> }): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(case)';
  if ('additionalProperty' in e.params) return `${where}: unknown key "${String(e.params.additionalProperty)}"`;
  if ('missingProperty' in e.params) return `${where}: missing "${String(e.params.missingProperty)}"`;
  if (Array.isArray(e.params.allowedValues)) return `${where} must be one of ${e.params.allowedValues.join(', ')}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** Why `request` cannot be evaluated as a chat completion request (as `ktpack serve` would refuse it), or null. */
export function requestProblem(request: { messages?: unknown }): string | null {
  const m = request.messages;
  if (!Array.isArray(m) || m.length === 0) return 'needs a non-empty "messages" array';
  const bad = m.findIndex((x) => !x || typeof x !== 'object' || Array.isArray(x));
  return bad >= 0 ? `messages[${bad}] is not a message object` : null;
}

/** Why `raw` is not a response to evaluate (a chat completion, `{content}` or `{message}`), or null. */
export function responseProblem(raw: unknown): string | null {
  const r = raw as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return 'expected a JSON object';
  if (r.choices !== undefined) {
    if (!Array.isArray(r.choices)) return '"choices" must be an array';
    const bad = r.choices.findIndex((c) => !c || typeof c !== 'object' || Array.isArray(c));
    return bad >= 0 ? `choices[${bad}] is not an object` : null;
  }
  if (r.message !== undefined) return r.message && typeof r.message === 'object' && !Array.isArray(r.message) ? null : '"message" must be an object';
  if (typeof r.content === 'string') return null;
  return 'expected a chat completion ({"choices": [...]}) or the shorthand {"content": "..."}';
}

/** Builds the request a case describes: `input.request` with `input.messages` laid over it. */
export function requestOf(input: PolicyTestCase['input']): ChatRequest {
  const base = (input.request ?? {}) as Partial<ChatRequest>;
  return { ...base, messages: input.messages ?? base.messages ?? [] } as ChatRequest;
}

/** Accepts a full chat completion, or the shorthand `{content}` / `{message}`. */
export function responseOf(raw: Record<string, unknown>): ChatResponse {
  if (Array.isArray(raw.choices)) return raw as ChatResponse;
  const message = (raw.message as ChatResponse['choices'][number]['message']) ?? { role: 'assistant', content: typeof raw.content === 'string' ? raw.content : '' };
  return { ...raw, choices: [{ index: 0, message, finish_reason: 'stop' }] } as ChatResponse;
}

/** Runs one case: request phase, then the response phase on `upstream_response` (sharing markers). */
export function runCase(ir: PolicyIr, c: PolicyTestCase, at: { name: string; pack: string; file: string; suite?: string }): TestResult {
  // An input the gateway would refuse (400) must not pass as "allow".
  const problem = requestProblem(requestOf(c.input));
  if (problem) return { ...errorResult(at.name, at.pack, at.file, `input ${problem} (input.messages or input.request.messages)`), ...(at.suite ? { suite: at.suite } : {}) };
  const responseIssue = c.input.upstream_response === undefined ? null : responseProblem(c.input.upstream_response);
  if (responseIssue) return { ...errorResult(at.name, at.pack, at.file, `input.upstream_response: ${responseIssue}`), ...(at.suite ? { suite: at.suite } : {}) };
  const env = { markers: createMarkerTable() };
  const decisions: Array<[Decision, 'request' | 'response']> = [];
  const req = evaluate(ir, { phase: 'request', request: requestOf(c.input) }, env);
  decisions.push([req, 'request']);
  let verdict: Decision['verdict'] = req.verdict;
  if (req.verdict !== 'block' && c.input.upstream_response) {
    const res = evaluate(ir, { phase: 'response', response: responseOf(c.input.upstream_response) }, env);
    decisions.push([res, 'response']);
    verdict = res.verdict === 'block' ? 'block' : req.verdict === 'redact' || res.verdict === 'redact' ? 'redact' : 'allow';
  }
  const reasons = decisions.flatMap(([d]) => d.reasons);
  // The reason that decided the verdict: the blocking one, else the first that acted.
  const deciding = verdict === 'block' ? reasons[reasons.length - 1] : reasons[0];
  const reasonCode = deciding?.code ?? null;
  const failures: string[] = [];
  if (verdict !== c.expected.verdict) failures.push(`expected verdict ${c.expected.verdict}, got ${verdict}${reasonCode ? ` (${reasonCode})` : ''}`);
  if (c.expected.reason_code && !reasons.some((r) => r.code === c.expected.reason_code)) {
    failures.push(`expected reason_code ${c.expected.reason_code}, got ${reasons.length ? reasons.map((r) => r.code).join(', ') : 'none'}`);
  }
  return {
    ...at,
    passed: failures.length === 0,
    verdict,
    reason_code: reasonCode,
    expected: c.expected,
    failures,
    details: {
      policy_results: decisions.flatMap(([d, phase]) => d.policies.map((p) => ({ ...p, phase }))),
      redactions: decisions.flatMap(([d, phase]) => d.redactions.map((r) => ({ entity: r.entity, policy: r.policy, path: r.path, start: r.start, end: r.end, phase }))),
      quality_scores: null,
    },
  };
}
