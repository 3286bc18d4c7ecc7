// Fast entry for `ktpack lint`: the same program with only the lint command, bundled into dist/lint-cli.cjs at build time.
import { Command, CommanderError } from 'commander';
import { KTPACK_VERSION } from '../version.js';
import { lintCommand } from './commands/lint.js';
import { EXIT, UsageError, type CliIo } from './io.js';

/**
 * Runs `ktpack lint ...` (argv without node and script) and returns the exit code. Mirrors
 * main.ts's error handling; it exists so CI's most frequent command starts without loading the
 * build, serve and test stacks (see bench/suites/lint.mjs).
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('ktpack')
    .description('Lint, build, test and serve AI-gateway policy packs (policy-config.yaml).')
    .version(KTPACK_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    });
  lintCommand.register(program, { io, setExitCode: (code) => (exitCode = code) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof UsageError) {
      io.stderr.write(`ktpack: ${e.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`ktpack: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (io.env.KTPACK_DEBUG) io.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    return EXIT.internal;
  }
}
