// `ktpack build FILE -o DIR`: compiles a pack into a bundle directory.
import { stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Runs the build command; returns the exit code. */
export async function runBuild(file: string, options: { out: string }, io: CliIo): Promise<number> {
  // The implementation loads when the command runs, not when it is registered (`ktpack --help`).
  const [{ BundleTargetError, emitBundle }, { formatStylish }, { loadPackFile, packFileIn }] = await Promise.all([
    import('../../emit/emit-bundle.js'),
    import('../../formatters/stylish.js'),
    import('../../pack.js'),
  ]);
  // A pack folder works as in serve, eval and test (a bundle folder is not a pack: build from its YAML).
  const path = resolve(io.cwd, file);
  const isFolder = (await stat(path).catch(() => undefined))?.isDirectory() === true;
  let packFile = path;
  if (isFolder) {
    packFile = await packFileIn(path).catch(async () => {
      const bundle = await stat(resolve(path, 'manifest.json')).then(() => true, () => false);
      throw new UsageError(`${file}: ${bundle ? 'is a built bundle; build from the pack (policy-config.yaml) instead' : 'no policy-config.yaml (or .yml) in this folder'}`);
    });
  }
  const loaded = await loadPackFile(packFile);
  if (!loaded.ir) {
    // Diagnostics name the pack file as the user typed it (a folder's pack file below it, so editors can jump to the line).
    const source = isFolder ? join(file, basename(packFile)) : file;
    io.stdout.write(formatStylish(loaded.diagnostics.map((d) => ({ ...d, source }))));
    io.stderr.write(`build failed: ${file} has errors; no bundle written\n`);
    return EXIT.findings;
  }
  const manifest = await emitBundle(loaded.ir, resolve(io.cwd, options.out)).catch((e: NodeJS.ErrnoException) => {
    if (e instanceof BundleTargetError) throw new UsageError(`-o ${options.out}: ${e.reason}`);
    if (e.code) throw new UsageError(`-o ${options.out}: cannot write the bundle (${e.code})`);
    throw e;
  });
  io.stderr.write(
    `built ${manifest.pack.name}@${manifest.pack.version} -> ${shown(io.cwd, options.out)} (${manifest.irHash})\n`,
  );
  return EXIT.ok;
}

/** `ktpack build` */
export const buildCommand: CliCommand = {
  name: 'build',
  register(program, { io, setExitCode }) {
    program
      .command('build')
      .description('Compile a pack into a bundle: policy.ir.json, runtime.mjs, types.d.ts, manifest.json.')
      .argument('<pack>', 'policy-config.yaml, or a pack folder holding one')
      .requiredOption('-o, --out <dir>', 'output directory')
      .action(async (file: string, opts: { out: string }) => {
        setExitCode(await runBuild(file, opts, io));
      });
  },
};

/** The output folder as the user would type it: relative below the working directory, else absolute. */
function shown(cwd: string, out: string): string {
  const rel = relative(cwd, resolve(cwd, out));
  return rel === '' ? '.' : rel.startsWith('..') ? resolve(cwd, out) : rel;
}
