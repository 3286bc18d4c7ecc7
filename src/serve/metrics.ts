// Prometheus counters for requests, attempts, tokens and cost, rendered in the text exposition format.

/** Label sets beyond this per metric collapse into `other`, so client-chosen tags cannot exhaust memory. */
const MAX_SERIES = 1000;

interface Counter {
  help: string;
  type: 'counter';
  series: Map<string, number>;
}

/** A small registry of labelled counters. */
export class Metrics {
  private readonly counters = new Map<string, Counter>();

  constructor() {
    this.define('ktpack_requests_total', 'Requests handled, by route, verdict and HTTP status.');
    this.define('ktpack_upstream_attempts_total', 'Upstream attempts, by target and outcome.');
    this.define('ktpack_tokens_total', 'Tokens used, by model, direction and team.');
    this.define('ktpack_cost_usd_total', 'Cost in USD, by model, team and project.');
    this.define('ktpack_redactions_total', 'Redacted spans, by entity.');
    this.define('ktpack_fail_open_total', 'Policy evaluation errors let through by --fail-mode allow.');
    this.define('ktpack_request_duration_seconds_sum', 'Total gateway latency of chat requests in seconds.');
    this.define('ktpack_request_duration_seconds_count', 'Chat requests timed.');
  }

  private define(name: string, help: string): void {
    this.counters.set(name, { help, type: 'counter', series: new Map() });
  }

  /** Adds `value` to the counter `name` with `labels`. */
  inc(name: string, labels: Record<string, string> = {}, value = 1): void {
    const c = this.counters.get(name);
    if (!c || !Number.isFinite(value)) return;
    let key = Object.keys(labels)
      .sort()
      .map((k) => `${k}="${escapeLabel(labels[k])}"`)
      .join(',');
    if (!c.series.has(key) && c.series.size >= MAX_SERIES) key = 'overflow="other"';
    c.series.set(key, (c.series.get(key) ?? 0) + value);
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

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
