// `ktpack serve FILE|DIR`: runs the gateway until SIGINT/SIGTERM (drain + flush); SIGHUP reloads the pack.
import { resolve } from 'node:path';
import type { ServedPack } from '../../serve/gateway.js';
import type { KeySet } from '../../serve/gateway-keys.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Options of the serve command. */
export interface ServeCommandOptions {
  listen: string;
  upstream?: string;
  mockUpstream?: boolean;
  auditDir: string;
  failMode: string;
  reportOnly?: boolean;
  gatewayKeys?: string;
  adminKeys?: string;
  drainTimeout: string;
}

/** Parses `host:port`, `[::1]:port` or `:port`. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen: expected HOST:PORT (e.g. 127.0.0.1:41002), got "${listen}"`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

async function keyFile(flag: string, path: string | undefined, cwd: string): Promise<KeySet | undefined> {
  if (!path) return undefined;
  const { readKeyFile } = await import('../../serve/gateway-keys.js');
  let keys: KeySet;
  try {
    keys = await readKeyFile(resolve(cwd, path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`${flag}: ${err.code === 'ENOENT' ? `${path}: no such file` : err.message}`);
  }
  // An empty file would lock every caller out (or every admin) while looking configured.
  if (keys.size === 0) throw new UsageError(`${flag}: ${path} holds no key hashes (one sha256:<64 hex> per line)`);
  return keys;
}

/** Runs the serve command; resolves with the exit code once the gateway stopped. */
export async function runServe(pack: string, options: ServeCommandOptions, io: CliIo): Promise<number> {
  const { host, port } = parseListen(options.listen);
  if (options.upstream && options.mockUpstream) throw new UsageError('--upstream and --mock-upstream both name the upstream; pass one of them');
  if (options.upstream) {
    try {
      new URL(options.upstream);
    } catch {
      throw new UsageError(`--upstream: not a URL: "${options.upstream}"`);
    }
  }
  if (options.failMode !== 'block' && options.failMode !== 'allow') throw new UsageError(`--fail-mode: expected block or allow, got "${options.failMode}"`);
  const drainMs = Number(options.drainTimeout) * 1000;
  if (!Number.isFinite(drainMs) || drainMs < 0) throw new UsageError(`--drain-timeout: expected seconds, got "${options.drainTimeout}"`);
  const gatewayKeys = await keyFile('--gateway-keys', options.gatewayKeys, io.cwd);
  const adminKeys = await keyFile('--admin-keys', options.adminKeys, io.cwd);
  // The implementation loads when the command runs: `ktpack --help` and other commands do not pay for the gateway.
  const [{ formatStylish }, { loadPack }, { NoUsableTargetError, StartupError, startGateway }] = await Promise.all([
    import('../../formatters/stylish.js'),
    import('../../pack.js'),
    import('../../serve/gateway.js'),
  ]);
  const packPath = resolve(io.cwd, pack);
  const loaded = await loadPack(packPath);
  if (!loaded.ir) {
    io.stdout.write(formatStylish(loaded.diagnostics));
    io.stderr.write(`serve: ${pack} has errors; not starting\n`);
    return EXIT.findings;
  }
  const log = (line: string): void => void io.stderr.write(`${line}\n`);
  if (!['127.0.0.1', 'localhost', '::1'].includes(host) && !gatewayKeys?.size) {
    log(`warning: listening on ${host} without --gateway-keys: anyone who can reach this port can spend the upstream key`);
  }
  const loadAgain = async (): Promise<ServedPack> => {
    const next = await loadPack(packPath);
    if (!next.ir) {
      const errors = next.diagnostics.filter((d) => d.severity === 'error');
      throw new Error(`${errors.length} error(s) in ${pack}: ${errors.slice(0, 3).map((d) => `${d.range ? `${d.range.start.line}:${d.range.start.column} ` : ''}${d.message}`).join('; ')}`);
    }
    return { ir: next.ir, irHash: next.irHash, origin: next.origin };
  };
  const gateway = await startGateway({
    ir: loaded.ir,
    irHash: loaded.irHash,
    origin: loaded.origin,
    host,
    port,
    upstream: options.upstream,
    mockUpstream: options.mockUpstream,
    auditDir: resolve(io.cwd, options.auditDir),
    env: io.env,
    log,
    failMode: options.failMode,
    reportOnly: options.reportOnly,
    gatewayKeys,
    adminKeys,
    loadPack: loadAgain,
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') throw new UsageError(`--listen ${options.listen}: address already in use`);
    if (e.code === 'EACCES') throw new UsageError(`--listen ${options.listen}: permission denied`);
    if (e.code === 'ENOTFOUND' || e.code === 'EADDRNOTAVAIL' || e.code === 'EAI_AGAIN' || e.code === 'EINVAL') {
      throw new UsageError(`--listen ${options.listen}: cannot bind that address (${e.code})`);
    }
    if (e instanceof StartupError) throw new UsageError(`serve: ${e.message}`);
    if (e instanceof NoUsableTargetError) throw new UsageError(`serve: ${e.message}`);
    throw e;
  });
  // Signal handlers go in before "listening on" is printed: a supervisor may signal as soon as it reads it.
  const stopped = new Promise<number>((done) => {
    const hup = (): void => {
      gateway.reload().catch((e: Error) => log(`reload rejected; the previous pack keeps serving: ${e.message}`));
    };
    let stopping = false;
    const stop = (): void => {
      // Terminals and npm/npx wrappers often deliver one Ctrl-C twice: a repeated signal must not cut the
      // drain short (Node's default action would kill the process before the audit log is flushed).
      if (stopping) return log(`already shutting down (waiting up to ${drainMs / 1000} s for in-flight requests); SIGKILL stops at once`);
      stopping = true;
      process.off('SIGHUP', hup);
      log('shutting down: draining requests and flushing the audit log');
      const finished = (code: number): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done(code);
      };
      gateway.close(drainMs).then(
        () => finished(EXIT.ok),
        (e: Error) => {
          log(`error: shutdown did not complete cleanly: ${e.message}`);
          finished(EXIT.internal);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', hup);
  });
  const { name, version } = loaded.ir.pack;
  if (options.reportOnly) log('report-only: decisions are recorded; nothing is blocked or redacted');
  if (options.failMode === 'allow') log('fail-mode allow: a policy evaluation error lets the request through (recorded as fail_open)');
  if (gateway.auditFile) log(`audit log: ${gateway.auditFile}`);
  log(`ktpack serve: ${name}@${version} listening on ${gateway.url}${loaded.irHash ? ` (${loaded.irHash})` : ''}`);
  return await stopped;
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
      .option('--fail-mode <mode>', 'when a policy cannot be evaluated: block or allow (recorded)', 'block')
      .option('--report-only', 'evaluate and record every decision, but block and redact nothing')
      .option('--gateway-keys <file>', 'only callers with one of these keys (file of sha256:<hex> lines) may use /v1')
      .option('--admin-keys <file>', 'keys (sha256:<hex> lines) accepted on admin endpoints from non-loopback peers')
      .option('--drain-timeout <seconds>', 'how long shutdown waits for in-flight requests', '30')
      .action(async (pack: string | undefined, opts: ServeCommandOptions & { policyConfig?: string }) => {
        if (pack && opts.policyConfig && resolve(io.cwd, pack) !== resolve(io.cwd, opts.policyConfig)) {
          throw new UsageError(`serve: both ${pack} and --policy-config ${opts.policyConfig} name the pack; pass one of them`);
        }
        const target = pack ?? opts.policyConfig;
        if (!target) throw new UsageError('serve: give a pack file or folder (or --policy-config FILE)');
        setExitCode(await runServe(target, opts, io));
      });
  },
};
