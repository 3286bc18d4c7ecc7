// `ktpack costs DIR`: sums cost and tokens from the audit log, grouped by team, project, user, model or target.
import type { StoredRecord } from '../../serve/audit-read.js';
import type { CliCommand } from '../command.js';
import { UsageError } from '../io.js';
import { auditDir, readRecords, toFilter, withFilterFlags, type FilterFlags } from './audit.js';

const GROUPS = ['model', 'project', 'target', 'team', 'user'] as const;
type Group = (typeof GROUPS)[number];

/** One row of the cost report. */
export interface CostRow {
  key: Record<string, string>;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  usd: number;
  /** Requests whose model had no known price. */
  /** Requests whose cost is unknown (no usage from the upstream, or a model without a price): not in `usd`. */
  unknown_cost: number;
}

/** Sums records' cost by the given dimensions (records are read one at a time, never all held). */
export async function sumCosts(records: Iterable<StoredRecord> | AsyncIterable<StoredRecord>, by: Group[]): Promise<CostRow[]> {
  const rows = new Map<string, CostRow>();
  for await (const r of records) {
    const cost = r.cost as { usd?: number | null; model?: string; inputTokens?: number; outputTokens?: number } | undefined;
    if (!cost) continue;
    const tags = (r.tags ?? {}) as Record<string, string>;
    const key: Record<string, string> = {};
    for (const g of by) key[g] = g === 'model' ? (cost.model ?? '') : g === 'target' ? String(r.target ?? '') : (tags[g] ?? '');
    const k = JSON.stringify(key);
    let row = rows.get(k);
    if (!row) rows.set(k, (row = { key, requests: 0, input_tokens: 0, output_tokens: 0, usd: 0, unknown_cost: 0 }));
    row.requests++;
    row.input_tokens += cost.inputTokens ?? 0;
    row.output_tokens += cost.outputTokens ?? 0;
    if (typeof cost.usd === 'number') row.usd += cost.usd;
    else row.unknown_cost++;
  }
  return [...rows.values()].map((r) => ({ ...r, usd: Math.round(r.usd * 1e9) / 1e9 })).sort((a, b) => b.usd - a.usd || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
}

/** `ktpack costs` */
export const costsCommand: CliCommand = {
  name: 'costs',
  register(program, { io }) {
    withFilterFlags(
      program
        .command('costs')
        .description('Sum cost and token usage from the audit log.')
        .argument('<dir>', 'audit directory (--audit-dir of serve)')
        .option('--by <dims>', `group by (comma-separated: ${GROUPS.join(', ')})`, 'team,model')
        .option('--json', 'print rows as JSON'),
    ).action(async (dir: string, opts: FilterFlags & { by: string; json?: boolean }) => {
      const by = opts.by.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = by.find((b) => !(GROUPS as readonly string[]).includes(b));
      if (bad) throw new UsageError(`--by: unknown dimension "${bad}" (use ${GROUPS.join(', ')})`);
      const rows = await sumCosts(readRecords(await auditDir(dir, io), await toFilter(opts)), by as Group[]);
      const total = rows.reduce((t, r) => ({ requests: t.requests + r.requests, usd: t.usd + r.usd, unknown_cost: t.unknown_cost + r.unknown_cost }), { requests: 0, usd: 0, unknown_cost: 0 });
      if (opts.json) {
        io.stdout.write(`${JSON.stringify({ by, rows, total: { requests: total.requests, usd: Math.round(total.usd * 1e9) / 1e9, unknown_cost: total.unknown_cost } }, null, 2)}\n`);
        return;
      }
      const header = [...by, 'requests', 'input_tokens', 'output_tokens', 'usd'];
      const lines = rows.map((r) => [...by.map((b) => r.key[b] || '-'), String(r.requests), String(r.input_tokens), String(r.output_tokens), `${r.usd.toFixed(6)}${r.unknown_cost ? ` (+${r.unknown_cost} of unknown cost)` : ''}`]);
      lines.push([...by.map((_, i) => (i === 0 ? 'total' : '')), String(total.requests), '', '', `${total.usd.toFixed(6)}${total.unknown_cost ? ` (+${total.unknown_cost} of unknown cost)` : ''}`]);
      const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
      const fmt = (cols: string[]): string => cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
      io.stdout.write(`${[fmt(header), ...lines.map(fmt)].join('\n')}\n`);
    });
  },
};
