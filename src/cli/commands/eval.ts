// `ktpack eval PACK|BUNDLE --input FILE [--phase response]`: evaluates one request or response and prints the decision.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option } from 'commander';
import type { ChatRequest, ChatResponse } from '../../runtime/types.js';
import type { PolicyTestCase } from '../../test-runner/run-tests.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Options of the eval command. */
export interface EvalCommandOptions {
  input: string;
  phase: 'request' | 'response';
  format?: 'json' | 'human';
  /** Comma-separated verdicts that make the command exit 1 (for CI), e.g. `block` or `redact,block`. */
  failOn?: string;
}

const VERDICTS = ['allow', 'redact', 'block'] as const;

/** The verdicts of `--fail-on LIST`; a usage error for an unknown or empty one. */
function parseFailOn(list: string): Set<string> {
  const verdicts = list.split(',').map((v) => v.trim().toLowerCase());
  const bad = verdicts.find((v) => !(VERDICTS as readonly string[]).includes(v));
  if (bad !== undefined) throw new UsageError(`--fail-on: ${bad ? `unknown verdict "${bad}"` : 'empty verdict'}; use one or more of ${VERDICTS.join(', ')}, comma-separated (e.g. --fail-on redact,block)`);
  return new Set(verdicts);
}

async function readInput(path: string, io: CliIo): Promise<unknown> {
  let text: string;
  if (path === '-') {
    if (!io.stdin) throw new UsageError('--input -: no standard input');
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await readFile(resolve(io.cwd, path), 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`--input ${path}: ${e.code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
    });
  }
  const { parseJsonText } = await import('../../json-text.js');
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new UsageError(`--input ${path}: not valid JSON (${parsed.error})`);
  return parsed.value;
}

/** Runs the eval command; returns the exit code. */
export async function runEval(pack: string, options: EvalCommandOptions, io: CliIo): Promise<number> {
  const failOn = options.failOn === undefined ? undefined : parseFailOn(options.failOn);
  // The implementation loads when the command runs, not when it is registered (`ktpack --help`).
  const [{ formatDecisionHuman }, { formatStylish }, { loadPack }, { evaluate }, { requestOf, requestProblem, responseOf, responseProblem }] = await Promise.all([
    import('../../eval/format-decision.js'),
    import('../../formatters/stylish.js'),
    import('../../pack.js'),
    import('../../runtime/evaluate.js'),
    import('../../test-runner/run-tests.js'),
  ]);
  const raw = await readInput(options.input, io);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`--input ${options.input}: expected a JSON object`);
  // A test case file works too: its input is the request, its upstream_response the response.
  const testCase = (raw as { input?: PolicyTestCase['input'] }).input;
  let input;
  if (options.phase === 'request') {
    const request = (testCase ? requestOf(testCase) : raw) as ChatRequest;
    const problem = requestProblem(request);
    if (problem) throw new UsageError(`--input ${options.input}: a chat completion request ${problem}${'choices' in raw ? ' (this looks like a response: add --phase response)' : ''}`);
    input = { phase: 'request' as const, request };
  } else {
    const source = testCase ? testCase.upstream_response : (raw as Record<string, unknown>);
    if (!source) throw new UsageError(`--input ${options.input}: the test case has no upstream_response`);
    const problem = responseProblem(source);
    if (problem) throw new UsageError(`--input ${options.input}: not a response to evaluate: ${problem}${'messages' in source ? ' (this looks like a request: drop --phase response)' : ''}`);
    const response = responseOf(source) as ChatResponse;
    input = { phase: 'response' as const, response };
  }
  const loaded = await loadPack(resolve(io.cwd, pack));
  if (!loaded.ir) {
    io.stdout.write(formatStylish(loaded.diagnostics));
    io.stderr.write(`eval: ${pack} has errors\n`);
    return EXIT.findings;
  }
  const decision = evaluate(loaded.ir, input);
  const human = options.format ? options.format === 'human' : (io.stdout as { isTTY?: boolean }).isTTY === true;
  io.stdout.write(human ? formatDecisionHuman(loaded.ir, options.phase, decision) : `${JSON.stringify({ phase: options.phase, ...decision }, null, 2)}\n`);
  if (failOn?.has(decision.verdict)) {
    io.stderr.write(`ktpack eval: verdict ${decision.verdict} is one of --fail-on ${[...failOn].join(',')}\n`);
    return EXIT.findings;
  }
  return EXIT.ok;
}

/** `ktpack eval` */
export const evalCommand: CliCommand = {
  name: 'eval',
  register(program, { io, setExitCode }) {
    program
      .command('eval')
      .description('Evaluate one request (or response) against a pack or bundle and print the decision.')
      .argument('<pack>', 'policy-config.yaml, a pack folder, or a bundle folder')
      .requiredOption('-i, --input <file>', 'JSON chat completion request (or response with --phase response, or a test case); - reads stdin')
      .addOption(new Option('--phase <phase>', 'which chain to run').choices(['request', 'response']).default('request'))
      .addOption(new Option('--format <format>', 'output (default: human on a terminal, JSON otherwise)').choices(['json', 'human']))
      .option('--fail-on <verdicts>', 'exit 1 when the verdict is one of these (comma-separated: allow, redact, block), e.g. block or redact,block')
      .action(async (pack: string, opts: EvalCommandOptions) => {
        setExitCode(await runEval(pack, opts, io));
      });
  },
};
