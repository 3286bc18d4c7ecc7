// `ktpack lint FILE...`: lints packs and prints diagnostics.
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import { severityRank, type Diagnostic, type Severity } from '../../diagnostics.js';
import { formatStylish } from '../../formatters/stylish.js';
import { lintText } from '../../lint/lint.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Options of the lint command. */
export interface LintCommandOptions {
  failLevel?: Severity;
}

/** Runs the lint command; returns the exit code. */
export async function runLint(files: string[], options: LintCommandOptions, io: CliIo): Promise<number> {
  if (files.length === 0) throw new UsageError('lint: no files given (usage: ktpack lint FILE...)');
  const all: Diagnostic[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot be read'}`);
    }
    all.push(...lintText(file, text).diagnostics);
  }
  io.stdout.write(formatStylish(all));
  const failRank = severityRank(options.failLevel ?? 'error');
  return all.some((d) => severityRank(d.severity) >= failRank) ? EXIT.findings : EXIT.ok;
}

/** `ktpack lint` */
export const lintCommand: CliCommand = {
  name: 'lint',
  register(program, { io, setExitCode }) {
    program
      .command('lint')
      .description('Parse and validate packs; print diagnostics.')
      .argument('<files...>', 'policy-config.yaml files')
      .addOption(new Option('--fail-level <level>', 'lowest severity that fails the run').choices(['error', 'warning', 'info']).default('error'))
      .action(async (files: string[], opts: { failLevel: Severity }) => {
        setExitCode(await runLint(files, opts, io));
      });
  },
};
