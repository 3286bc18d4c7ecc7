// Renders an evaluator decision for a terminal: verdict, each policy's outcome, redactions, and the pack line each came from.
import type { Decision, PolicyIr } from '../runtime/types.js';

/** Human-readable decision. Never prints a redacted value: only entity, place and offsets. */
export function formatDecisionHuman(ir: PolicyIr, phase: 'request' | 'response', d: Decision): string {
  const steps = ir[phase];
  const lineOf = (policy: string): string => {
    const s = steps.find((x) => x.policy === policy)?.src;
    return s ? `${s.file}:${s.line}` : '';
  };
  const rows: string[] = [`verdict: ${d.verdict.toUpperCase()}  (${ir.pack.name}@${ir.pack.version}, ${phase} phase${ir.pack.enabled ? '' : ', pack disabled'})`];
  rows.push('', 'policies:');
  if (d.policies.length === 0) rows.push('  (none ran)');
  for (const p of d.policies) {
    const score = p.score !== undefined ? `score ${p.score.toFixed(2)}` : '';
    rows.push(`  ${p.policy.padEnd(22)} ${p.outcome.padEnd(7)} ${(p.code ?? '-').padEnd(26)} ${score.padEnd(11)} ${lineOf(p.policy)}`.trimEnd());
  }
  const skipped = steps.slice(d.policies.length).map((s) => s.policy);
  if (d.verdict === 'block' && skipped.length > 0) rows.push(`  (not run after the block: ${skipped.join(', ')})`);
  if (d.reasons.length > 0) {
    rows.push('', 'reasons:');
    for (const r of d.reasons) rows.push(`  ${r.policy} ${r.code}: ${r.message}  (${r.src.file}:${r.src.line} ${r.src.path})`);
  }
  if (d.redactions.length > 0) {
    rows.push('', 'redactions:');
    for (const r of d.redactions) rows.push(`  ${r.entity.padEnd(12)} ${r.path} [${r.start}, ${r.end}) -> ${r.marker}  ${r.policy} (${lineOf(r.policy)})`);
  }
  return `${rows.join('\n')}\n`;
}
