// The ktpack command-line program: parses arguments and dispatches to commands. Never calls process.exit.
import { Command, CommanderError, Option } from 'commander';
import { UserIoError } from '../pack.js';
import { KTPACK_VERSION } from '../version.js';
import { runBuild } from './commands/build.js';
import { runLint } from './commands/lint.js';
import { runServe } from './commands/serve.js';
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

  program
    .command('lint')
    .description('Parse and validate packs; print diagnostics.')
    .argument('<files...>', 'policy-config.yaml files')
    .addOption(new Option('--fail-level <level>', 'lowest severity that fails the run').choices(['error', 'warning', 'info']).default('error'))
    .action(async (files: string[], opts: { failLevel: 'error' | 'warning' | 'info' }) => {
      exitCode = await runLint(files, opts, io);
    });

  program
    .command('build')
    .description('Compile a pack into a bundle: policy.ir.json, runtime.mjs, types.d.ts, manifest.json.')
    .argument('<file>', 'policy-config.yaml')
    .requiredOption('-o, --out <dir>', 'output directory')
    .action(async (file: string, opts: { out: string }) => {
      exitCode = await runBuild(file, opts, io);
    });

  program
    .command('serve')
    .description('Run the OpenAI-compatible gateway for a pack or bundle.')
    .argument('[pack]', 'policy-config.yaml, a pack folder, or a bundle folder')
    .option('--policy-config <file>', 'alias of the pack argument (as in kt gateway run)')
    .option('--listen <host:port>', 'address to bind; port 0 picks a free port', '127.0.0.1:41002')
    .option('--upstream <url>', "override every target's base URL (debugging, tests)")
    .option('--mock-upstream', 'answer with the built-in OpenAI-compatible upstream (no API key needed)')
    .option('--audit-dir <dir>', 'where audit logs are written', '.ktpack/audit')
    .action(async (pack: string | undefined, opts: { policyConfig?: string; listen: string; upstream?: string; mockUpstream?: boolean; auditDir: string }) => {
      const target = pack ?? opts.policyConfig;
      if (!target) throw new UsageError('serve: give a pack file or folder (or --policy-config FILE)');
      exitCode = await runServe(target, opts, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successful exits; everything else commander rejects is usage.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof UserIoError) {
      io.stderr.write(`ktpack: ${e.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`ktpack: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (io.env.KTPACK_DEBUG) io.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    return EXIT.internal;
  }
}
