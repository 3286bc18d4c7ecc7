// `ktpack lint FILE|DIR|GLOB|- ...`: lints packs and reports diagnostics in one or more formats.
// The linter, its settings parser and the formatters are imported when the command runs, not when it is registered.
import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { Option } from 'commander';
import { severityRank, type Diagnostic, type Severity } from '../../diagnostics.js';
import type { FileReport } from '../../formatters/index.js';
import { FORMAT_NAMES } from '../../formatters/names.js';
import { loadColor } from '../../formatters/stylish.js';
import { CONFIG_FILE_NAMES } from '../../lint/config-files.js';
import type { RuleSetting } from '../../lint/lint.js';
import { MAX_PACK_BYTES } from '../../load/limits.js';
import { KTPACK_VERSION } from '../../version.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Options of the lint command. */
export interface LintCommandOptions {
  failLevel?: Severity;
  format?: string[];
  output?: string[];
  maxWarnings?: string;
  config?: string;
  rule?: string[];
  color?: boolean;
  stdinFilename?: string;
}

const GLOB_CHARS = /[*?[\]{}]/;
const PACK_FILE = /(^|\/)policy-config\.ya?ml$/;

/** Expands the command's arguments into files to read (`-` stays as stdin). */
async function expandInputs(args: string[], cwd: string): Promise<{ files: string[]; problems: string[] }> {
  const files: string[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      files.push('-');
      continue;
    }
    const abs = resolve(cwd, arg);
    const info = await stat(abs).catch(() => undefined);
    if (info?.isFile()) files.push(abs);
    else if (info && !info.isDirectory()) problems.push(`${arg}: not a regular file`);
    else if (info?.isDirectory() || (!info && GLOB_CHARS.test(arg))) {
      const { glob } = await import('tinyglobby');
      const found = info
        ? (await glob(['**/policy-config.yaml', '**/policy-config.yml'], { cwd: abs, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'] })).filter((f) => PACK_FILE.test(f))
        : await glob([arg], { cwd, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**', '**/.git/**'] });
      if (found.length === 0) problems.push(`${arg}: ${info ? 'no policy-config.yaml found in this directory' : 'no files match this pattern'}`);
      files.push(...found.sort());
    } else problems.push(`${arg}: no such file or directory`);
  }
  // The same file reached twice (named twice, or through a symlinked directory) is linted once.
  const seen = new Set<string>();
  const unique = files.filter((f) => {
    let key = f;
    try {
      key = f === '-' ? f : realpathSync(f);
    } catch {
      key = f;
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { files: unique, problems };
}

async function readStdin(io: CliIo): Promise<Buffer> {
  if (!io.stdin) throw new UsageError('lint: `-` reads standard input, but none is available');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buf);
    size += buf.length;
    // One byte over the limit is enough for the too-large diagnostic; `cat /dev/zero |` must not fill memory.
    if (size > MAX_PACK_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_PACK_BYTES + 1);
}

/** Reads a pack file, at most one byte past the size limit (a huge file is refused without reading it whole). */
function readPackFile(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    // Sized from fstat (a 1 MiB buffer per file made linting 1,000 packs mostly garbage collection);
    // grown if the file grows while it is read, never past the limit.
    let buf = Buffer.allocUnsafe(Math.min(fstatSync(fd).size, MAX_PACK_BYTES) + 1);
    let size = 0;
    for (;;) {
      if (size === buf.length) {
        if (size > MAX_PACK_BYTES) break;
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_PACK_BYTES + 1));
        buf.copy(bigger, 0, 0, size);
        buf = bigger;
      }
      const n = readSync(fd, buf, size, buf.length - size, null);
      if (n === 0) break;
      size += n;
    }
    return buf.subarray(0, size);
  } finally {
    closeSync(fd);
  }
}

/** The working directory and each directory above it, nearest first. */
function upwards(cwd: string): string[] {
  const dirs = [resolve(cwd)];
  while (dirname(dirs[dirs.length - 1]) !== dirs[dirs.length - 1]) dirs.push(dirname(dirs[dirs.length - 1]));
  return dirs;
}

/**
 * Reads the settings file given by --config, else the first of CONFIG_FILE_NAMES found in the working
 * directory or the nearest directory above it (as ESLint looks for its config), so a run from a
 * subdirectory of the repository uses the same settings as a run from its root.
 */
async function loadRuleSettings(options: LintCommandOptions, cwd: string): Promise<Record<string, RuleSetting>> {
  const { parseLintConfig, parseRuleSetting } = await import('../../lint/config.js');
  const candidates = options.config ? [resolve(cwd, options.config)] : upwards(cwd).flatMap((dir) => CONFIG_FILE_NAMES.map((n) => resolve(dir, n)));
  let rules: Record<string, RuleSetting> = {};
  for (const file of candidates) {
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (options.config) throw new UsageError(`${options.config}: ${e.code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
      return undefined;
    });
    if (text === undefined) continue;
    rules = parseLintConfig(text, options.config ?? relative(cwd, file)).rules;
    break;
  }
  for (const flag of options.rule ?? []) {
    const m = /^([^=:]+)[=:](.+)$/.exec(flag);
    if (!m) throw new UsageError(`--rule ${flag}: expected RULE=LEVEL, e.g. --rule chain-missing-block=off`);
    const [id, level] = parseRuleSetting(m[1].trim(), m[2].trim(), '--rule');
    rules[id] = level;
  }
  return rules;
}

/** Runs the lint command; returns the exit code. */
export async function runLint(args: string[], options: LintCommandOptions, io: CliIo): Promise<number> {
  if (args.length === 0) throw new UsageError('lint: no files given (usage: ktpack lint FILE|DIR|GLOB|- ...)');
  // `-f sarif=out.sarif` names its file inline; other formats pair with --output values in order.
  const requested = (options.format?.length ? options.format : ['stylish']).map((f) => {
    const eq = f.indexOf('=');
    return eq > 0 ? { name: f.slice(0, eq), file: f.slice(eq + 1) } : { name: f, file: undefined as string | undefined };
  });
  const pending = [...(options.output ?? [])];
  const paired = requested.map((r) => ({ name: r.name, file: r.file ?? pending.shift() }));
  if (pending.length) throw new UsageError('more --output files than --format values; give one --format per --output');
  const formats = [...paired.filter((p) => p.file !== undefined), ...paired.filter((p) => p.file === undefined)].map((p) => p.name);
  const outputs = paired.filter((p) => p.file !== undefined).map((p) => p.file!);
  for (const f of formats) {
    if (!(FORMAT_NAMES as readonly string[]).includes(f)) throw new UsageError(`--format ${f}: unknown format; use one of ${FORMAT_NAMES.join(', ')}`);
  }
  if (formats.length - outputs.length > 1) throw new UsageError('several formats would go to standard output; give each extra --format its own --output FILE');
  let maxWarnings: number | undefined;
  if (options.maxWarnings !== undefined) {
    maxWarnings = Number(options.maxWarnings);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) throw new UsageError(`--max-warnings ${options.maxWarnings}: expected a whole number >= 0`);
  }
  let rules: Record<string, RuleSetting>;
  try {
    rules = await loadRuleSettings(options, io.cwd);
  } catch (e) {
    if (e instanceof (await import('../../lint/config.js')).LintConfigError) throw new UsageError(e.message);
    throw e;
  }
  const [{ lintText, lintDocument }, { getFormatter }, { RULES }] = await Promise.all([import('../../lint/lint.js'), import('../../formatters/index.js'), import('../../lint/rules/index.js')]);
  // `ktpack build` lints with every rule at its default level: settings that turn an error rule down can make a pack
  // lint clean here that will not build. Such files are counted and named in a note (the exit code stays the user's).
  const weakened = new Set(RULES.filter((r) => r.meta.defaultSeverity === 'error' && rules[r.id] !== undefined && rules[r.id] !== 'error').map((r) => r.id));
  const wouldNotBuild: string[] = [];

  const { files, problems } = await expandInputs(args, io.cwd);
  const reports: FileReport[] = [];
  for (const file of files) {
    let text: Buffer;
    let source: string;
    if (file === '-') {
      text = await readStdin(io);
      source = options.stdinFilename ?? '<stdin>';
    } else {
      source = displayName(file, io.cwd);
      try {
        // Synchronous on purpose: with thousands of files, promise-based reads cost more than they overlap.
        text = readPackFile(file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        problems.push(`${source}: ${code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : 'cannot be read'}`);
        continue;
      }
    }
    const result = lintText(source, text, { rules });
    reports.push({ source, text: result.maskedText, diagnostics: result.diagnostics });
    if (weakened.size > 0 && !result.diagnostics.some((d) => d.severity === 'error')) {
      const refused = lintDocument(result.document).filter((d) => d.severity === 'error' && weakened.has(d.code));
      if (refused.length > 0) wouldNotBuild.push(`${source} (${[...new Set(refused.map((d) => d.code))].join(', ')})`);
    }
  }

  // FORCE_COLOR=0 (or false) turns colour off, as in chalk and Node; any other value forces it on.
  const force = io.env.FORCE_COLOR === undefined ? undefined : !['0', 'false'].includes(io.env.FORCE_COLOR);
  const color = options.color !== false && !io.env.NO_COLOR && (force ?? (io.stdout as { isTTY?: boolean }).isTTY === true);
  if (color && formats.length > outputs.length && formats[formats.length - 1] === 'stylish') await loadColor();
  for (let i = 0; i < formats.length; i++) {
    const text = getFormatter(formats[i])!(reports, { color: i >= outputs.length && color, version: KTPACK_VERSION });
    if (i < outputs.length) {
      // Like ESLint's -o, a report directory that does not exist yet is created (`-o reports/ktpack.sarif`).
      const target = resolve(io.cwd, outputs[i]);
      await mkdir(dirname(target), { recursive: true })
        .then(() => writeFile(target, text))
        .catch((e: NodeJS.ErrnoException) => {
          throw new UsageError(`--output ${outputs[i]}: cannot write (${e.code ?? e.message})`);
        });
    } else io.stdout.write(text);
  }

  if (wouldNotBuild.length > 0) {
    io.stderr.write(`ktpack: note: lint settings turn down error rules that ktpack build still applies; these would not build: ${wouldNotBuild.slice(0, 5).join('; ')}${wouldNotBuild.length > 5 ? `; and ${wouldNotBuild.length - 5} more` : ''}\n`);
  }
  for (const p of problems) io.stderr.write(`ktpack: ${p}\n`);
  if (problems.length) return EXIT.usage;
  const all: Diagnostic[] = reports.flatMap((r) => r.diagnostics);
  const failRank = severityRank(options.failLevel ?? 'error');
  if (all.some((d) => severityRank(d.severity) >= failRank)) return EXIT.findings;
  const warnings = all.filter((d) => d.severity === 'warning').length;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    io.stderr.write(`ktpack: ${warnings} warning${warnings === 1 ? '' : 's'} exceed${warnings === 1 ? 's' : ''} --max-warnings ${maxWarnings}\n`);
    return EXIT.findings;
  }
  return EXIT.ok;
}

function displayName(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `ktpack lint` */
export const lintCommand: CliCommand = {
  name: 'lint',
  register(program, { io, setExitCode }) {
    program
      .command('lint')
      .description('Parse and validate packs; print diagnostics. Exit 0 clean, 1 findings, 2 usage or I/O error.')
      .argument('<files...>', 'policy-config.yaml files, directories (searched for policy-config.yaml), globs, or - for stdin')
      .addOption(new Option('-f, --format <format>', `output format, optionally NAME=FILE (repeatable: ${FORMAT_NAMES.join(', ')})`).argParser(collect))
      .addOption(new Option('-o, --output <file>', 'write the matching --format to a file (repeatable, paired in order)').argParser(collect))
      .addOption(new Option('--fail-level <level>', 'lowest severity that fails the run').choices(['error', 'warning', 'info']).default('error'))
      .option('--max-warnings <n>', 'also fail when there are more than n warnings')
      .option('-c, --config <file>', `lint settings file (default: ${CONFIG_FILE_NAMES.join(', ')} in the working directory or the nearest one above it)`)
      .addOption(new Option('--rule <id=level>', 'override a rule: error, warning, info or off (repeatable)').argParser(collect))
      .option('--no-color', 'never use colours (NO_COLOR is honoured too)')
      .option('--stdin-filename <name>', 'file name to report for -')
      .action(async (files: string[], opts: LintCommandOptions) => {
        setExitCode(await runLint(files, opts, io));
      });
  },
};
