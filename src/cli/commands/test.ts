// `ktpack test [DIR]`: runs policy tests beside packs (tests/*.json, inline testing.suites) with coverage.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option } from 'commander';
import type { PackRun } from '../../test-runner/run-tests.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Options of the test command. */
export interface TestCommandOptions {
  json?: boolean;
  format?: 'human' | 'json' | 'junit';
  run?: string;
  coverage?: boolean;
  threshold?: string;
  packDir?: string;
  passWithNoTests?: boolean;
}

/** Runs the test command; returns the exit code. */
export async function runTestCommand(dir: string | undefined, options: TestCommandOptions, io: CliIo): Promise<number> {
  const target = resolve(io.cwd, dir ?? options.packDir ?? '.');
  let filter: RegExp | undefined;
  if (options.run !== undefined) {
    try {
      filter = new RegExp(options.run);
    } catch (e) {
      throw new UsageError(`--run: not a valid regular expression: ${(e as Error).message}`);
    }
  }
  let threshold: number | undefined;
  if (options.threshold !== undefined) {
    threshold = Number(options.threshold);
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100) throw new UsageError(`--threshold: expected a percentage from 0 to 100, got "${options.threshold}"`);
  }
  // The test runner (linter, compiler, runtime) loads when the command runs, not when it is registered (`ktpack --help`).
  const [{ findPacks, runPackTests }, { computeCoverage }, { formatTestsHuman, formatTestsJson, formatTestsJunit, summarize }] = await Promise.all([
    import('../../test-runner/run-tests.js'),
    import('../../test-runner/coverage.js'),
    import('../../test-runner/format.js'),
  ]);
  const packs = await findPacks(target);
  if (packs.length === 0) {
    const exists = await stat(target).then(() => true, () => false);
    throw new UsageError(`${dir ?? options.packDir ?? '.'}: ${exists ? 'no policy-config.yaml (or .yml) found' : 'no such file or directory'}`);
  }
  const runs: PackRun[] = [];
  for (const p of packs) runs.push(await runPackTests(p, { cwd: io.cwd, filter }));
  const coverage = options.coverage || threshold !== undefined ? computeCoverage(runs) : undefined;
  const format = options.json ? 'json' : (options.format ?? 'human');
  if (format === 'json') io.stdout.write(formatTestsJson(runs, coverage));
  else if (format === 'junit') io.stdout.write(formatTestsJunit(runs));
  else io.stdout.write(formatTestsHuman(runs, options.coverage ? coverage : undefined));
  const s = summarize(runs);
  let code: number = s.failed > 0 || s.broken > 0 ? EXIT.findings : EXIT.ok;
  // A CI gate that ran nothing must not pass silently (as jest and vitest): exit 1 unless asked to allow it.
  if (s.passed + s.failed + s.broken === 0) {
    const why = filter ? `no test matches --run ${options.run}` : 'no tests found (tests/*.json beside the pack, or testing.suites in it)';
    io.stderr.write(`ktpack test: ${why}${options.passWithNoTests ? '' : '; exit 1 (--pass-with-no-tests to allow)'}\n`);
    if (!options.passWithNoTests) code = EXIT.findings;
  }
  if (threshold !== undefined && coverage && coverage.percent < threshold) {
    io.stderr.write(`ktpack test: policy coverage ${coverage.percent}% is below --threshold ${threshold}%\n`);
    code = EXIT.findings;
  }
  return code;
}

/** `ktpack test` */
export const testCommand: CliCommand = {
  name: 'test',
  register(program, { io, setExitCode }) {
    program
      .command('test')
      .description('Run policy tests (tests/*.json beside each pack and inline testing.suites); exit 1 on any failure.')
      .argument('[dir]', 'a pack folder, a policy-config.yaml, or a tree searched for packs (default: .)')
      .option('--pack-dir <dir>', 'alias of DIR (as in kt policy test)')
      .option('--json', 'print {ok, results} JSON (same as --format json)')
      .addOption(new Option('--format <format>', 'output format').choices(['human', 'json', 'junit']).default('human'))
      .option('--run <regex>', 'only run cases whose name (suite/case for inline suites) matches')
      .option('--coverage', 'report which policies and outcomes (allow, redact, block, warn) the tests exercised')
      .option('--threshold <percent>', 'fail (exit 1) when policy coverage is below this percentage')
      .option('--pass-with-no-tests', 'exit 0 when no test case ran (default: exit 1, so a CI gate that ran nothing fails)')
      .action(async (dir: string | undefined, opts: TestCommandOptions) => {
        setExitCode(await runTestCommand(dir, opts, io));
      });
  },
};
