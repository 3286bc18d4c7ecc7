// Lint speed: cold `ktpack lint` of the seed pack against `node -e 0`, and packs/s when linting 1,000 packs in one run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const title = 'ktpack lint';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/ktpack.js');
const SEED = join(ROOT, 'packs/chatgpt-enterprise-gateway/policy-config.yaml');

/** Wall-clock milliseconds of one child process run. */
function timed(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run({ log }) {
  const rounds = 15;
  const lintTimes = [];
  const nodeTimes = [];
  // Interleaved so machine load affects both sides alike.
  timed([BIN, 'lint', SEED]);
  for (let i = 0; i < rounds; i++) {
    nodeTimes.push(timed(['-e', '0']));
    lintTimes.push(timed([BIN, 'lint', SEED]));
  }
  const cold = median(lintTimes);
  const base = median(nodeTimes);
  log(`cold lint ${cold.toFixed(0)} ms, node -e 0 ${base.toFixed(0)} ms`);

  const dir = mkdtempSync(join(tmpdir(), 'ktpack-bench-lint-'));
  const seed = readFileSync(SEED, 'utf8');
  const count = 1000;
  for (let i = 0; i < count; i++) {
    mkdirSync(join(dir, String(i).padStart(4, '0')));
    writeFileSync(join(dir, String(i).padStart(4, '0'), 'policy-config.yaml'), seed.replace('chatgpt-enterprise-gateway', `pack-${i}`).replace('retention_days: 365', `retention_days: ${30 + (i % 300)}`));
  }
  const batchTimes = [];
  for (let i = 0; i < 3; i++) batchTimes.push(timed([BIN, 'lint', dir]));
  const batch = median(batchTimes);
  const perSecond = count / (batch / 1000);
  const steady = count / ((batch - cold) / 1000);
  rmSync(dir, { recursive: true, force: true });

  const { usesPrecompiledValidators } = await import(join(ROOT, 'dist/validate/validate-schema.js'));
  return `
| measure | value | goal |
|---|---|---|
| cold \`ktpack lint\` of the seed pack (median of ${rounds}) | ${cold.toFixed(0)} ms | |
| \`node -e 0\` started the same way (median of ${rounds}) | ${base.toFixed(0)} ms | |
| **cold-start ratio** | **${(cold / base).toFixed(2)}x** | ≤ 3x |
| 1,000 packs in one \`ktpack lint DIR\` run (median of 3) | ${batch.toFixed(0)} ms | |
| **packs per second, whole run incl. start-up** | **${perSecond.toFixed(0)}/s** | ≥ 500/s |
| packs per second after start-up | ${steady.toFixed(0)}/s | |
| precompiled validators in use | ${usesPrecompiledValidators() ? 'yes' : 'no'} | yes |
`;
}
