// Registry of CLI commands, sorted by name.
import type { CliCommand } from '../command.js';
import { buildCommand } from './build.js';
import { diffCommand } from './diff.js';
import { evalCommand } from './eval.js';
import { initCommand } from './init.js';
import { lintCommand } from './lint.js';
import { serveCommand } from './serve.js';
import { testCommand } from './test.js';

/** Every ktpack command, sorted by name. */
export const COMMANDS: readonly CliCommand[] = [
  buildCommand,
  diffCommand,
  evalCommand,
  initCommand,
  lintCommand,
  serveCommand,
  testCommand,
];
