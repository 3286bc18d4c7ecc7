// The ktpack command-line program: parses arguments and dispatches to commands. Never calls process.exit.
import { Command, CommanderError } from 'commander';
import { KTPACK_VERSION } from '../version.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, UsageError, type CliIo } from './io.js';

/** Runs ktpack with `argv` (without node and script) and returns the exit code. */
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
  for (const command of COMMANDS) {
    command.register(program, { io, setExitCode: (code) => (exitCode = code) });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successful exits; everything else commander rejects is usage.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // pack.js is already loaded when it threw; importing it here keeps it out of `ktpack --help`.
    if (e instanceof UsageError || e instanceof (await import('../pack.js')).UserIoError) {
      io.stderr.write(`ktpack: ${e.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`ktpack: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (io.env.KTPACK_DEBUG) io.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    return EXIT.internal;
  }
}
