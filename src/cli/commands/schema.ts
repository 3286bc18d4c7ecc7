// `ktpack schema`: prints the pack JSON Schema (2020-12, or the bundled draft-07 variant editors accept).
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { didYouMean } from '../../diagnostics.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Options of the schema command. */
export interface SchemaCommandOptions {
  draft07?: boolean;
  kind?: string;
  output?: string;
}

/** Runs the schema command; returns the exit code. */
export async function runSchema(options: SchemaCommandOptions, io: CliIo): Promise<number> {
  let file = options.draft07 ? 'policy-config.draft-07.schema.json' : 'policy-config.schema.json';
  if (options.kind !== undefined) {
    if (options.draft07) throw new UsageError('--kind and --draft-07 cannot be combined (the draft-07 file already bundles every kind)');
    // The kind registry (and the detectors it names) loads only when a kind is asked for.
    const { KINDS } = await import('../../kinds/index.js');
    const kind = KINDS.find((k) => k.id === options.kind);
    if (!kind) {
      const suggestion = didYouMean(options.kind, KINDS.map((k) => k.id));
      throw new UsageError(`--kind ${options.kind}: unknown kind${suggestion ? `; did you mean "${suggestion}"?` : ''} (kinds: ${KINDS.map((k) => k.id).join(', ')})`);
    }
    file = kind.schemaFile;
  }
  const text = await readFile(new URL(`../../../schemas/${file}`, import.meta.url), 'utf8');
  if (options.output) {
    await writeFile(resolve(io.cwd, options.output), text).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`--output ${options.output}: cannot write (${e.code ?? e.message})`);
    });
  } else io.stdout.write(text);
  return EXIT.ok;
}

/** `ktpack schema` */
export const schemaCommand: CliCommand = {
  name: 'schema',
  register(program, { io, setExitCode }) {
    program
      .command('schema')
      .description('Print the JSON Schema of policy-config.yaml (for editors: --draft-07, then `# yaml-language-server: $schema=FILE`).')
      .option('--draft-07', 'print the single-file draft-07 variant (yaml-language-server, older validators)')
      .option('--kind <kind>', "print one policy kind's options schema")
      .option('-o, --output <file>', 'write to a file instead of standard output')
      .action(async (opts: { draft07?: boolean; kind?: string; output?: string }) => {
        setExitCode(await runSchema(opts, io));
      });
  },
};
