// Prometheus counters for requests, attempts, tokens and cost, rendered in the text exposition format.

/** Label sets beyond this per metric collapse into `other`, so client-chosen tags cannot exhaust memory. */
const MAX_SERIES = 1000;

interface Counter {
  help: string;
  type: 'counter';
  /** Label names in exposition order (sorted), fixed per metric. */
  labels: readonly string[];
  series: Map<string, number>;
  /** Rendered series keys by label value, one level per label name: found without building a string. */
  keys: KeyTree;
}

/** Label value → next level; the last level maps to the rendered key. */
type KeyTree = Map<string | undefined, KeyTree | string>;

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
    this.counters.set(name, { help, type: 'counter', labels: [...labels].sort(), series: new Map(), keys: new Map() });
  }

  /** Adds `value` to the counter `name` with `labels` (only the metric's own label names are kept). */
  inc(name: string, labels: Record<string, string> = NO_LABELS, value = 1): void {
    const c = this.counters.get(name);
    if (!c || !Number.isFinite(value)) return;
    const key = seriesKey(c, labels);
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

const NO_LABELS: Record<string, string> = {};

/** The rendered key of a counter's series for `labels`; called several times per request, so looked up by value. */
function seriesKey(c: Counter, labels: Record<string, string>): string {
  const names = c.labels;
  const last = names.length - 1;
  if (last < 0) return '';
  let level = c.keys;
  for (let i = 0; i < last; i++) {
    const next = level.get(labels[names[i]]);
    if (next === undefined) return newSeriesKey(c, labels);
    level = next as KeyTree;
  }
  const key = level.get(labels[names[last]]);
  return typeof key === 'string' ? key : newSeriesKey(c, labels);
}

/** Renders the key of a new label set and remembers it; past MAX_SERIES series, new label sets share `other`. */
function newSeriesKey(c: Counter, labels: Record<string, string>): string {
  let key = '';
  for (const k of c.labels) {
    const v = labels[k];
    if (v === undefined) continue;
    key += `${key ? ',' : ''}${k}="${escapeLabel(v)}"`;
  }
  if (!c.series.has(key)) {
    if (c.series.size >= MAX_SERIES) return 'overflow="other"';
    c.series.set(key, 0);
  }
  // Only label sets that have a series are remembered, so the lookup tree is bounded as the series are.
  let level = c.keys;
  const last = c.labels.length - 1;
  for (let i = 0; i < last; i++) {
    const v = labels[c.labels[i]];
    let next = level.get(v) as KeyTree | undefined;
    if (next === undefined) level.set(v, (next = new Map()));
    level = next;
  }
  level.set(labels[c.labels[last]], key);
  return key;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabel(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
