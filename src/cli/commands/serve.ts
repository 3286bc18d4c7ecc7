// `ktpack serve FILE|DIR`: runs the gateway until SIGINT/SIGTERM.
import { resolve } from 'node:path';
import { formatStylish } from '../../formatters/stylish.js';
import { loadPack } from '../../pack.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Options of the serve command. */
export interface ServeCommandOptions {
  listen: string;
  upstream?: string;
  mockUpstream?: boolean;
  auditDir: string;
}

/** Parses `host:port`, `[::1]:port` or `:port`. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen: expected HOST:PORT (e.g. 127.0.0.1:41002), got "${listen}"`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Runs the serve command; resolves with the exit code once the gateway stopped. */
export async function runServe(pack: string, options: ServeCommandOptions, io: CliIo): Promise<number> {
  const { host, port } = parseListen(options.listen);
  if (options.upstream) {
    try {
      new URL(options.upstream);
    } catch {
      throw new UsageError(`--upstream: not a URL: "${options.upstream}"`);
    }
  }
  const loaded = await loadPack(pack);
  if (!loaded.ir) {
    io.stdout.write(formatStylish(loaded.diagnostics));
    io.stderr.write(`serve: ${pack} has errors; not starting\n`);
    return EXIT.findings;
  }
  const log = (line: string): void => void io.stderr.write(`${line}\n`);
  // Loaded on demand so other commands (lint in CI) do not pay for the HTTP stack at start-up.
  const { startGateway } = await import('../../serve/gateway.js');
  const gateway = await startGateway({
    ir: loaded.ir,
    irHash: loaded.irHash,
    host,
    port,
    upstream: options.upstream,
    mockUpstream: options.mockUpstream,
    auditDir: resolve(io.cwd, options.auditDir),
    env: io.env,
    log,
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') throw new UsageError(`--listen ${options.listen}: address already in use`);
    if (e.code === 'EACCES') throw new UsageError(`--listen ${options.listen}: permission denied`);
    throw e;
  });
  const { name, version } = loaded.ir.pack;
  log(`ktpack serve: ${name}@${version} listening on ${gateway.url}${loaded.irHash ? ` (${loaded.irHash})` : ''}`);
  if (gateway.auditFile) log(`audit log: ${gateway.auditFile}`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log('shutting down: draining requests and flushing the audit log');
      void gateway.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.ok;
}

/** `ktpack serve` */
export const serveCommand: CliCommand = {
  name: 'serve',
  register(program, { io, setExitCode }) {
    program
      .command('serve')
      .description('Run the OpenAI-compatible gateway for a pack or bundle.')
      .argument('[pack]', 'policy-config.yaml, a pack folder, or a bundle folder')
      .option('--policy-config <file>', 'alias of the pack argument (as in kt gateway run)')
      .option('--listen <host:port>', 'address to bind; port 0 picks a free port', '127.0.0.1:41002')
      .option('--upstream <url>', "override every target's base URL (debugging, tests)")
      .option('--mock-upstream', 'answer with the built-in OpenAI-compatible upstream (no API key needed)')
      .option('--audit-dir <dir>', 'where audit logs are written', '.ktpack/audit')
      .action(async (pack: string | undefined, opts: ServeCommandOptions & { policyConfig?: string }) => {
        const target = pack ?? opts.policyConfig;
        if (!target) throw new UsageError('serve: give a pack file or folder (or --policy-config FILE)');
        setExitCode(await runServe(target, opts, io));
      });
  },
};
