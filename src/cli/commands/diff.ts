// `ktpack diff OLD NEW`: semantic diff of two packs or bundles; exit 1 when a change weakens protection.
import { relative, resolve } from 'node:path';
import { Option } from 'commander';
import type { CliCommand } from '../command.js';
import { EXIT, type CliIo } from '../io.js';

/** Options of the diff command. */
export interface DiffCommandOptions {
  format: 'human' | 'json' | 'github';
}

/** Runs the diff command; returns the exit code (1 when any change weakens protection). */
export async function runDiff(oldPath: string, newPath: string, options: DiffCommandOptions, io: CliIo): Promise<number> {
  // The implementation loads when the command runs, not when it is registered (`ktpack --help`).
  const [{ diffPacks }, { formatDiffGithub, formatDiffHuman, formatDiffJson }, { formatStylish }, { loadPack }] = await Promise.all([
    import('../../diff/diff-packs.js'),
    import('../../diff/format-diff.js'),
    import('../../formatters/stylish.js'),
    import('../../pack.js'),
  ]);
  const [before, after] = [await loadPack(resolve(io.cwd, oldPath)), await loadPack(resolve(io.cwd, newPath))];
  for (const [loaded, name] of [[before, oldPath], [after, newPath]] as const) {
    if (!loaded.ir) {
      io.stdout.write(formatStylish(loaded.diagnostics));
      io.stderr.write(`diff: ${name} has errors\n`);
      return EXIT.findings;
    }
  }
  const changes = diffPacks(before.ir!, after.ir!);
  if (options.format === 'json') io.stdout.write(formatDiffJson(changes));
  else if (options.format === 'github') {
    // Annotations need the YAML file as the repository sees it; a bundle has no lines to point at.
    const file = after.document ? relative(io.cwd, after.origin) : undefined;
    io.stdout.write(formatDiffGithub(file, changes));
  } else io.stdout.write(formatDiffHuman(oldPath, newPath, changes));
  return changes.some((c) => c.impact === 'weakens') ? EXIT.findings : EXIT.ok;
}

/** `ktpack diff` */
export const diffCommand: CliCommand = {
  name: 'diff',
  register(program, { io, setExitCode }) {
    program
      .command('diff')
      .description('Compare two packs semantically; exit 1 when a change weakens protection (a policy dropped, block -> warn, an entity removed).')
      .argument('<old>', 'the old pack (file, folder or bundle)')
      .argument('<new>', 'the new pack (file, folder or bundle)')
      .addOption(new Option('--format <format>', 'output format').choices(['human', 'json', 'github']).default('human'))
      .action(async (oldPath: string, newPath: string, opts: DiffCommandOptions) => {
        setExitCode(await runDiff(oldPath, newPath, opts, io));
      });
  },
};
