// Policy coverage: which policies, and which of their outcomes, the tests exercised.
import type { PolicyIr } from '../runtime/types.js';
import type { PackRun } from './run-tests.js';

/** An outcome a policy can produce. */
export type Outcome = 'allow' | 'redact' | 'block' | 'warn';

/** Coverage of one policy in one phase. */
export interface PolicyCoverage {
  pack: string;
  phase: 'request' | 'response';
  policy: string;
  /** Outcomes the policy can produce under its configured action. */
  possible: Outcome[];
  covered: Outcome[];
}

/** Coverage of a whole run. */
export interface CoverageReport {
  policies: PolicyCoverage[];
  /** Covered outcomes / possible outcomes, in percent (100 when there is nothing to cover). */
  percent: number;
}

const ACTION_OUTCOME: Record<string, Outcome> = { block: 'block', redact: 'redact', warn: 'warn', log: 'warn' };

/** Outcomes each step of `ir` can produce: allow, plus what its action does when it fires. */
function possibleOutcomes(ir: PolicyIr, pack: string): PolicyCoverage[] {
  const out: PolicyCoverage[] = [];
  for (const phase of ['request', 'response'] as const) {
    if (!ir.pack.enabled) continue;
    for (const step of ir[phase]) {
      out.push({ pack, phase, policy: step.policy, possible: ['allow', ACTION_OUTCOME[step.action] ?? 'warn'], covered: [] });
    }
  }
  return out;
}

/** Computes coverage of `runs` (packs that failed to load contribute nothing). */
export function computeCoverage(runs: readonly PackRun[]): CoverageReport {
  const policies: PolicyCoverage[] = [];
  for (const run of runs) {
    if (!run.ir) continue;
    const mine = possibleOutcomes(run.ir, run.pack);
    for (const result of run.results) {
      for (const p of result.details.policy_results) {
        const entry = mine.find((m) => m.phase === p.phase && m.policy === p.policy);
        if (entry && entry.possible.includes(p.outcome) && !entry.covered.includes(p.outcome)) entry.covered.push(p.outcome);
      }
    }
    for (const m of mine) m.covered.sort((a, b) => m.possible.indexOf(a) - m.possible.indexOf(b));
    policies.push(...mine);
  }
  const possible = policies.reduce((n, p) => n + p.possible.length, 0);
  const covered = policies.reduce((n, p) => n + p.covered.length, 0);
  return { policies, percent: possible === 0 ? 100 : Math.round((covered / possible) * 1000) / 10 };
}
