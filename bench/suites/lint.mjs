// Lint speed: cold `ktpack lint` of the seed pack against `node -e 0`, and packs/s when linting 1,000 packs in one run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const title = 'ktpack lint';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/ktpack.js');
const SEED = join(ROOT, 'packs/chatgpt-enterprise-gateway/policy-config.yaml');
// Where bin/ktpack.js keeps the V8 code cache of the lint entry (src/cli/code-cache.ts).
const CODE_CACHE = join(ROOT, 'node_modules/.cache/ktpack');

/** CPU milliseconds (user + system) used so far by this process's waited-for children (Linux; else NaN). */
function childCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // cutime and cstime are fields 16 and 17 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Wall-clock and CPU milliseconds of one child process run. */
function timed(args, status = 0) {
  const cpu = childCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== status) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, cpu: childCpuMs() - cpu };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run({ log }) {
  const rounds = 21;
  const lintRuns = [];
  const nodeRuns = [];
  // Interleaved so machine load affects both sides alike.
  // Every third round also measures the very first run on a machine: no code cache yet (the second run writes it).
  const firstRuns = [];
  timed([BIN, 'lint', SEED]);
  for (let i = 0; i < rounds; i++) {
    nodeRuns.push(timed(['-e', '0']));
    if (i % 3 === 0) {
      rmSync(CODE_CACHE, { recursive: true, force: true });
      firstRuns.push(timed([BIN, 'lint', SEED]));
      timed([BIN, 'lint', SEED]); // the second run writes the cache (not measured)
    }
    lintRuns.push(timed([BIN, 'lint', SEED]));
  }
  const first = median(firstRuns.map((r) => r.ms));
  const firstCpu = firstRuns.reduce((a, r) => a + r.cpu, 0) / firstRuns.length;
  const cold = median(lintRuns.map((r) => r.ms));
  const base = median(nodeRuns.map((r) => r.ms));
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const cpuRatio = sum(lintRuns.map((r) => r.cpu)) / sum(nodeRuns.map((r) => r.cpu));
  const minRatio = Math.min(...lintRuns.map((r) => r.ms)) / Math.min(...nodeRuns.map((r) => r.ms));
  log(`cold lint ${cold.toFixed(0)} ms (first run without code cache ${first.toFixed(0)} ms), node -e 0 ${base.toFixed(0)} ms`);

  // A billion-laughs alias bomb must be refused, not expanded (issue 3: well under a second).
  const bombDir = mkdtempSync(join(tmpdir(), 'ktpack-bench-bomb-'));
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  writeFileSync(join(bombDir, 'bomb.yaml'), `${levels.join('\n')}\n`);
  const bombRuns = [];
  for (let i = 0; i < 5; i++) bombRuns.push(timed([BIN, 'lint', join(bombDir, 'bomb.yaml')], 1));
  rmSync(bombDir, { recursive: true, force: true });
  const bomb = median(bombRuns.map((r) => r.ms));

  const dir = mkdtempSync(join(tmpdir(), 'ktpack-bench-lint-'));
  const seed = readFileSync(SEED, 'utf8');
  const count = 1000;
  for (let i = 0; i < count; i++) {
    mkdirSync(join(dir, String(i).padStart(4, '0')));
    writeFileSync(join(dir, String(i).padStart(4, '0'), 'policy-config.yaml'), seed.replace('chatgpt-enterprise-gateway', `pack-${i}`).replace('retention_days: 365', `retention_days: ${30 + (i % 300)}`));
  }
  const batchRuns = [];
  for (let i = 0; i < 3; i++) batchRuns.push(timed([BIN, 'lint', dir]));
  const batch = median(batchRuns.map((r) => r.ms));
  const batchCpu = median(batchRuns.map((r) => r.cpu));
  const perSecond = count / (batch / 1000);
  const perCpuSecond = count / (batchCpu / 1000);
  rmSync(dir, { recursive: true, force: true });

  const { usesPrecompiledValidators } = await import(join(ROOT, 'dist/validate/validate-schema.js'));
  return `
| measure | value | goal |
|---|---|---|
| cold \`ktpack lint\` of the seed pack (median of ${rounds}) | ${cold.toFixed(0)} ms | |
| \`node -e 0\` started the same way (median of ${rounds}) | ${base.toFixed(0)} ms | |
| **cold-start ratio, wall clock (medians)** | **${(cold / base).toFixed(2)}x** | ≤ 3x |
| cold-start ratio, wall clock (fastest runs) | ${minRatio.toFixed(2)}x | |
| cold-start ratio, CPU time (user + system, all runs) | ${cpuRatio.toFixed(2)}x | |
| first run on a machine, no code cache yet (median of ${firstRuns.length}; as in CI after \`npm ci\`) | ${first.toFixed(0)} ms wall (${(first / base).toFixed(2)}x), ${firstCpu.toFixed(0)} ms CPU (${(firstCpu / (sum(nodeRuns.map((r) => r.cpu)) / nodeRuns.length)).toFixed(2)}x) | |
| \`ktpack lint\` of a billion-laughs alias bomb, whole process (median of ${bombRuns.length}) | ${bomb.toFixed(0)} ms | well under 1 s |
| 1,000 packs in one \`ktpack lint DIR\` run (median of 3) | ${batch.toFixed(0)} ms wall, ${batchCpu.toFixed(0)} ms CPU | |
| **packs per second, whole run incl. start-up (wall clock)** | **${perSecond.toFixed(0)}/s** | ≥ 500/s |
| packs per CPU-second, whole run | ${perCpuSecond.toFixed(0)}/s | |
| precompiled validators in use | ${usesPrecompiledValidators() ? 'yes' : 'no'} | yes |

Wall-clock figures depend on machine load (other processes compete for the same cores); the CPU-time
rows show the work ktpack itself does. Cold start uses the bundled lint entry (\`dist/lint-cli.cjs\`) and
validators precompiled at build time (\`dist/generated/pack-validators.cjs\`), both compiled through a V8 code
cache that the second run writes to \`node_modules/.cache/ktpack\` (src/cli/code-cache.ts).
`;
}
