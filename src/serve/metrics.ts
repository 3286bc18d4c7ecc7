// Prometheus counters for requests, attempts, tokens and cost, rendered in the text exposition format.

/** Label sets beyond this per metric collapse into `other`, so client-chosen tags cannot exhaust memory. */
const MAX_SERIES = 1000;

interface Counter {
  help: string;
  type: 'counter';
  /** Label names in exposition order (sorted), fixed per metric. */
  labels: readonly string[];
  series: Map<string, number>;
}

/** A small registry of labelled counters. */
export class Metrics {
  private readonly counters = new Map<string, Counter>();

  constructor() {
    this.define('ktpack_requests_total', 'Requests handled, by route, verdict and HTTP status.', ['route', 'verdict', 'status']);
    this.define('ktpack_upstream_attempts_total', 'Upstream attempts, by target and outcome.', ['target', 'outcome']);
    this.define('ktpack_tokens_total', 'Tokens used, by model, direction and team.', ['model', 'direction', 'team']);
    this.define('ktpack_cost_usd_total', 'Cost in USD, by model, team and project.', ['model', 'team', 'project']);
    this.define('ktpack_redactions_total', 'Redacted spans, by entity.', ['entity']);
    this.define('ktpack_fail_open_total', 'Policy evaluation errors let through by --fail-mode allow.', []);
    this.define('ktpack_request_duration_seconds_sum', 'Total gateway latency of chat requests in seconds.', []);
    this.define('ktpack_request_duration_seconds_count', 'Chat requests timed.', []);
  }

  private define(name: string, help: string, labels: string[]): void {
    this.counters.set(name, { help, type: 'counter', labels: [...labels].sort(), series: new Map() });
  }

  /** Adds `value` to the counter `name` with `labels` (only the metric's own label names are kept). */
  inc(name: string, labels: Record<string, string> = {}, value = 1): void {
    const c = this.counters.get(name);
    if (!c || !Number.isFinite(value)) return;
    // Called several times per request: a plain loop over the metric's fixed label names, no sort.
    let key = '';
    for (let i = 0; i < c.labels.length; i++) {
      const k = c.labels[i];
      const v = labels[k];
      if (v === undefined) continue;
      key += `${key ? ',' : ''}${k}="${escapeLabel(v)}"`;
    }
    const prev = c.series.get(key);
    if (prev === undefined && c.series.size >= MAX_SERIES) key = 'overflow="other"';
    c.series.set(key, (prev ?? c.series.get(key) ?? 0) + value);
  }

  /** The text exposition format. */
  render(): string {
    let out = '';
    for (const [name, c] of this.counters) {
      out += `# HELP ${name} ${c.help}\n# TYPE ${name} ${name.endsWith('_sum') || name.endsWith('_count') ? 'counter' : c.type}\n`;
      for (const [labels, v] of c.series) out += `${name}${labels ? `{${labels}}` : ''} ${Number(v.toFixed(9))}\n`;
    }
    return out;
  }
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabel(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
