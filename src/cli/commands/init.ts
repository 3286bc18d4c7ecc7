// `ktpack init [DIR] [--template NAME]`: scaffolds a pack that lints clean, with example tests.
import { resolve } from 'node:path';
import { getTemplate, TEMPLATES } from '../../init/templates.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Options of the init command. */
export interface InitCommandOptions {
  template: string;
  name?: string;
  force?: boolean;
  list?: boolean;
}

/** Runs the init command; returns the exit code. */
export async function runInit(dir: string | undefined, options: InitCommandOptions, io: CliIo): Promise<number> {
  if (options.list) {
    io.stdout.write(TEMPLATES.map((t) => `${t.name.padEnd(28)} ${t.summary}`).join('\n') + '\n');
    return EXIT.ok;
  }
  const template = getTemplate(options.template);
  if (!template) throw new UsageError(`--template: unknown template "${options.template}"; available: ${TEMPLATES.map((t) => t.name).join(', ')}`);
  if (options.name !== undefined && !/^[a-z0-9][a-z0-9._-]*$/i.test(options.name)) throw new UsageError(`--name: use letters, digits, dots, dashes and underscores, got "${options.name}"`);
  const target = resolve(io.cwd, dir ?? '.');
  const { InitConflictError, initPack } = await import('../../init/init-pack.js');
  try {
    const files = await initPack(target, template, { name: options.name, force: options.force });
    const shown = dir ?? '.';
    io.stderr.write(
      `created ${files.length} files in ${shown} from template ${template.name}:\n${files.map((f) => `  ${f}`).join('\n')}\n` +
        `next: ktpack lint ${shellWord(`${shown}/policy-config.yaml`)} && ktpack test ${shellWord(shown)}\n`,
    );
  } catch (e) {
    if (e instanceof InitConflictError) throw new UsageError(e.message);
    const err = e as NodeJS.ErrnoException;
    if (err.code) throw new UsageError(`${dir ?? '.'}: cannot write (${err.code})`);
    throw e;
  }
  return EXIT.ok;
}

/** `word` as a POSIX shell word, so the printed next step can be pasted as is (folders with spaces). */
function shellWord(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `ktpack init` */
export const initCommand: CliCommand = {
  name: 'init',
  register(program, { io, setExitCode }) {
    program
      .command('init')
      .description('Scaffold a pack (policy-config.yaml that lints clean, plus example tests).')
      .argument('[dir]', 'folder to create the pack in (default: .)')
      .option('-t, --template <name>', `template: ${TEMPLATES.map((t) => t.name).join(', ')}`, 'gateway')
      .option('--name <name>', 'pack name (default: the folder name)')
      .option('--force', 'overwrite existing files')
      .option('--list', 'list the templates')
      .action(async (dir: string | undefined, opts: InitCommandOptions) => {
        setExitCode(await runInit(dir, opts, io));
      });
  },
};
