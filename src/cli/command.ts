// The contract of one CLI command module: it registers itself on the commander program.
import type { Command } from 'commander';
import type { CliIo } from './io.js';

/** What a command's action gets: the I/O and a way to set the exit code. */
export interface CommandContext {
  io: CliIo;
  setExitCode(code: number): void;
}

/**
 * One command module (src/cli/commands/<name>.ts). Every command is registered on every run, so a module
 * imports statically only what its options and help need, and its implementation inside the action
 * (`await import(...)`); test/cli/startup.test.ts checks what `ktpack --help` and `ktpack serve BUNDLE` load.
 */
export interface CliCommand {
  name: string;
  register(program: Command, ctx: CommandContext): void;
}
