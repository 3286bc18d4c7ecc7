// CLI start-up: --version, --help, eval and test of the seed pack against `node -e 0`, and the idle memory of `ktpack serve BUNDLE`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const title = 'CLI start-up';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/ktpack.js');
const PACK = join(ROOT, 'packs/chatgpt-enterprise-gateway');

/** CPU milliseconds (user + system) used so far by this process's waited-for children (Linux; else NaN). */
function childCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Wall-clock and CPU milliseconds of one child process run. */
function timed(args, status = 0) {
  const cpu = childCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== status) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, cpu: childCpuMs() - cpu };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** VmRSS in KiB of a process started with `args`, read about a second after `ready` matched its stderr. */
async function idleRss(args, ready) {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH } });
  let err = '';
  const exited = new Promise((done) => proc.on('exit', done));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not get ready: ${err}`)), 15_000);
    proc.stderr.on('data', (c) => {
      err += c;
      if (ready.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then((code) => reject(new Error(`${args.join(' ')} exited ${code}: ${err}`)));
  });
  await new Promise((r) => setTimeout(r, 1000));
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))[1]);
  proc.kill('SIGTERM');
  await exited;
  return rss;
}

export async function run({ log }) {
  const rounds = 11;
  const input = join(PACK, 'tests/block-instruction-override.json');
  const commands = [
    ['`node -e 0`', ['-e', '0']],
    ['`ktpack --version`', [BIN, '--version']],
    ['`ktpack --help`', [BIN, '--help']],
    ['`ktpack serve --help`', [BIN, 'serve', '--help']],
    ['`ktpack eval` of the seed pack (YAML)', [BIN, 'eval', PACK, '-i', input, '--format', 'json']],
    ['`ktpack test` of the seed pack', [BIN, 'test', PACK]],
  ];
  const runs = commands.map(() => []);
  for (const [, args] of commands) timed(args); // warm the file cache
  // Interleaved so machine load affects every command alike.
  for (let i = 0; i < rounds; i++) commands.forEach(([, args], c) => runs[c].push(timed(args)));
  const base = { ms: median(runs[0].map((r) => r.ms)), cpu: median(runs[0].map((r) => r.cpu)) };
  const rows = commands.map(([name], c) => {
    const ms = median(runs[c].map((r) => r.ms));
    const cpu = median(runs[c].map((r) => r.cpu));
    log(`${name}: ${ms.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU`);
    return `| ${name} | ${ms.toFixed(0)} ms (${(ms / base.ms).toFixed(2)}x) | ${cpu.toFixed(0)} ms (${(cpu / base.cpu).toFixed(2)}x) |`;
  });

  const dir = mkdtempSync(join(tmpdir(), 'ktpack-bench-startup-'));
  timed([BIN, 'build', PACK, '-o', join(dir, 'bundle')]);
  const bare = [];
  const served = [];
  for (let i = 0; i < 3; i++) {
    bare.push(await idleRss(['-e', 'process.stderr.write("ready\\n"); setInterval(() => {}, 1000); process.on("SIGTERM", () => process.exit(0))'], /ready/));
    served.push(await idleRss([BIN, 'serve', join(dir, 'bundle'), '--mock-upstream', '--listen', '127.0.0.1:0', '--audit-dir', join(dir, `audit-${i}`)], /listening on/));
  }
  rmSync(dir, { recursive: true, force: true });
  const rssBare = median(bare);
  const rssServe = median(served);
  log(`idle RSS: serve ${rssServe} KiB, bare node ${rssBare} KiB`);
  return `
| command (median of ${rounds}, interleaved) | wall clock (vs \`node -e 0\`) | CPU, user + system (vs \`node -e 0\`) |
|---|---|---|
${rows.join('\n')}

| measure | value |
|---|---|
| idle RSS of \`ktpack serve BUNDLE --mock-upstream\`, 1 s after "listening" (median of 3) | ${(rssServe / 1024).toFixed(1)} MiB (${(rssServe / rssBare).toFixed(2)}x) |
| idle RSS of a bare \`node\` process waiting on a timer (median of 3) | ${(rssBare / 1024).toFixed(1)} MiB |

Each command module registers its options cheaply and loads its implementation when it runs, so help and
version load no command's implementation; serving a built bundle loads neither the linter, the compiler, the
YAML parser nor ajv (its IR is checked by a validator precompiled at build time). test/cli/startup.test.ts
asserts which modules each of these loads. \`ktpack lint\` and \`ktpack build\` have their own bundled entries
(see the lint and compiler sections).
`;
}
