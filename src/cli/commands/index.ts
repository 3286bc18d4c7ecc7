// Registry of CLI commands, sorted by name.
import type { CliCommand } from '../command.js';
import { buildCommand } from './build.js';
import { evalCommand } from './eval.js';
import { lintCommand } from './lint.js';
import { serveCommand } from './serve.js';
import { testCommand } from './test.js';

/** Every ktpack command, sorted by name. */
export const COMMANDS: readonly CliCommand[] = [
  buildCommand,
  evalCommand,
  lintCommand,
  serveCommand,
  testCommand,
];
