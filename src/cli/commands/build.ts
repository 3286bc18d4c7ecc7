// `ktpack build FILE -o DIR`: compiles a pack into a bundle directory.
import { relative, resolve } from 'node:path';
import { BundleTargetError, emitBundle } from '../../emit/emit-bundle.js';
import { formatStylish } from '../../formatters/stylish.js';
import { loadPackFile } from '../../pack.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Runs the build command; returns the exit code. */
export async function runBuild(file: string, options: { out: string }, io: CliIo): Promise<number> {
  const loaded = await loadPackFile(resolve(io.cwd, file));
  if (!loaded.ir) {
    // Diagnostics name the pack as the user typed it.
    io.stdout.write(formatStylish(loaded.diagnostics.map((d) => ({ ...d, source: file }))));
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
      .argument('<file>', 'policy-config.yaml')
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
