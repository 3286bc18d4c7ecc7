// Registry of CLI commands, sorted by name.
import type { CliCommand } from '../command.js';
import { auditCommand } from './audit.js';
import { buildCommand } from './build.js';
import { costsCommand } from './costs.js';
import { lintCommand } from './lint.js';
import { schemaCommand } from './schema.js';
import { serveCommand } from './serve.js';
import { typesCommand } from './types.js';

/** Every ktpack command, sorted by name. */
export const COMMANDS: readonly CliCommand[] = [
  auditCommand,
  buildCommand,
  costsCommand,
  lintCommand,
  schemaCommand,
  serveCommand,
  typesCommand,
];
