// Registry of CLI commands, sorted by name.
import type { CliCommand } from '../command.js';
import { auditCommand } from './audit.js';
import { buildCommand } from './build.js';
import { costsCommand } from './costs.js';
import { diffCommand } from './diff.js';
import { evalCommand } from './eval.js';
import { initCommand } from './init.js';
import { lintCommand } from './lint.js';
import { schemaCommand } from './schema.js';
import { serveCommand } from './serve.js';
import { testCommand } from './test.js';
import { typesCommand } from './types.js';

/** Every ktpack command, sorted by name. */
export const COMMANDS: readonly CliCommand[] = [
  auditCommand,
  buildCommand,
  costsCommand,
  diffCommand,
  evalCommand,
  initCommand,
  lintCommand,
  schemaCommand,
  serveCommand,
  testCommand,
  typesCommand,
];
