// `ktpack audit verify|tail|query DIR`: checks the hash chain and reads audit records back as JSON.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AuditFilter, StoredRecord } from '../../serve/audit-read.js';
import type { CliCommand } from '../command.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Filter flags shared by tail, query and costs. */
export interface FilterFlags {
  verdict?: string;
  policy?: string;
  team?: string;
  project?: string;
  since?: string;
  until?: string;
}

/** Adds the shared filter flags to a command. */
export function withFilterFlags(cmd: Command): Command {
  return cmd
    .option('--verdict <list>', 'only these verdicts (comma-separated: allow,redact,block,error)')
    .option('--policy <name>', 'only records in which this policy acted (redact, block or warn)')
    .option('--team <id>', 'only records tagged with this team')
    .option('--project <id>', 'only records tagged with this project')
    .option('--since <time>', 'only records at or after: 30m, 24h, 7d or an ISO time')
    .option('--until <time>', 'only records at or before: 30m, 24h, 7d or an ISO time');
}

/** The verdicts an audit record can carry (schemas/audit-event.schema.json). */
const VERDICTS = ['allow', 'redact', 'block', 'error'];

/** Turns filter flags into an {@link AuditFilter}, rejecting unreadable times and unknown verdicts. */
export async function toFilter(flags: FilterFlags): Promise<AuditFilter> {
  const { parseTime } = await import('../../serve/audit-read.js');
  const time = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const t = parseTime(v);
    if (t === undefined) throw new UsageError(`${flag}: expected 30m, 24h, 7d or an ISO time, got "${v}"`);
    return t;
  };
  const verdict = flags.verdict?.split(',').map((v) => v.trim()).filter(Boolean);
  // A misspelt verdict would silently match nothing (and sum to zero in costs).
  const unknown = verdict?.find((v) => !VERDICTS.includes(v));
  if (unknown !== undefined) throw new UsageError(`--verdict: unknown verdict "${unknown}"; use one or more of ${VERDICTS.join(', ')}, comma-separated`);
  return {
    verdict,
    policy: flags.policy,
    team: flags.team,
    project: flags.project,
    since: time('--since', flags.since),
    until: time('--until', flags.until),
  };
}

/** Reads records, turning an unreadable directory or segment into a usage/I-O error (exit 2) with its path. */
export async function* readRecords(dir: string, filter: AuditFilter, newestFirst = false): AsyncGenerator<StoredRecord> {
  const [{ auditRecords }, { AuditDirError }] = await Promise.all([import('../../serve/audit-read.js'), import('../../serve/audit-verify.js')]);
  try {
    yield* auditRecords(dir, filter, newestFirst);
  } catch (e) {
    if (e instanceof AuditDirError) throw new UsageError(e.message);
    throw e;
  }
}

/** Resolves an audit directory argument, refusing one that does not exist. */
export async function auditDir(dir: string, io: CliIo): Promise<string> {
  const path = resolve(io.cwd, dir);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir}: no such audit directory`);
  return path;
}

/** `ktpack audit` */
export const auditCommand: CliCommand = {
  name: 'audit',
  register(program, { io, setExitCode }) {
    const audit = program.command('audit').description('Verify and read the hash-chained audit log written by ktpack serve.');
    audit
      .command('verify')
      .description('Check the hash chain, sequence, checkpoint and signatures; report the first bad record.')
      .argument('<dir>', 'audit directory (--audit-dir of serve)')
      .option('--hmac-key-env <name>', 'environment variable holding the checkpoint HMAC key')
      .option('--json', 'print the result as JSON')
      .action(async (dir: string, opts: { hmacKeyEnv?: string; json?: boolean }) => {
        const path = await auditDir(dir, io);
        const { AuditDirError, verifyAuditDir } = await import('../../serve/audit-verify.js');
        let key: string | undefined;
        if (opts.hmacKeyEnv) {
          key = io.env[opts.hmacKeyEnv];
          if (!key) throw new UsageError(`--hmac-key-env: environment variable ${opts.hmacKeyEnv} is not set`);
        }
        const result = await verifyAuditDir(path, key).catch((e: unknown) => {
          if (e instanceof AuditDirError) throw new UsageError(e.message);
          throw e;
        });
        if (opts.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          for (const w of result.warnings) io.stdout.write(`warning: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}\n`);
          if (result.error) {
            const e = result.error;
            io.stdout.write(`FAIL ${e.file}${e.line ? `:${e.line}` : ''}${e.seq !== undefined ? ` (record ${e.seq})` : ''}: ${e.message}\n`);
            io.stdout.write(`${result.records} record(s) verified before the first bad one\n`);
          } else {
            io.stdout.write(`OK ${result.records} record(s) in ${result.segments} segment(s); head ${result.head.seq} sha256:${result.head.hash}\n`);
          }
        }
        setExitCode(result.ok ? EXIT.ok : EXIT.findings);
      });
    withFilterFlags(
      audit
        .command('tail')
        .description('Print the last records as JSON Lines (newest last).')
        .argument('<dir>', 'audit directory')
        .option('-n, --lines <n>', 'how many records', '20'),
    ).action(async (dir: string, opts: FilterFlags & { lines: string }) => {
      const n = Number(opts.lines);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--lines: expected a whole number, got "${opts.lines}"`);
      const last: StoredRecord[] = [];
      if (n > 0) {
        for await (const r of readRecords(await auditDir(dir, io), await toFilter(opts), true)) if (last.push(r) >= n) break;
      }
      for (const r of last.reverse()) io.stdout.write(`${JSON.stringify(r)}\n`);
    });
    withFilterFlags(
      audit
        .command('query')
        .description('Print every matching record as JSON Lines (oldest first).')
        .argument('<dir>', 'audit directory')
        .option('--limit <n>', 'at most this many records'),
    ).action(async (dir: string, opts: FilterFlags & { limit?: string }) => {
      const limit = opts.limit === undefined ? Number.POSITIVE_INFINITY : Number(opts.limit);
      if (!(limit >= 0)) throw new UsageError(`--limit: expected a whole number, got "${opts.limit}"`);
      let printed = 0;
      if (limit > 0) {
        for await (const r of readRecords(await auditDir(dir, io), await toFilter(opts))) {
          io.stdout.write(`${JSON.stringify(r)}\n`);
          if (++printed >= limit) break;
        }
      }
    });
  },
};
