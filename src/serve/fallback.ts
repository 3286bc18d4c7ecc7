// Ordered fallback across upstream targets: triggers, bounded attempts, retry-after cool-downs, one audit entry per attempt.
import type { CancelSignal } from './client-signal.js';
import type { IrFallback, IrTarget } from '../runtime/types.js';

/** One upstream attempt as recorded in the audit log. */
export interface AttemptRecord {
  target: string;
  /** HTTP status, when the upstream answered. */
  status?: number;
  /** timeout, connection_error, cooling_down, stream_error, … */
  error?: string;
  /** What made the gateway try the next target, if anything. */
  trigger?: string;
  ms: number;
}

/** The outcome of one attempt, as the caller classifies it. */
export type AttemptOutcome<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      /** rate_limit, server_error, timeout, connection_error; undefined: not retryable. */
      trigger?: string;
      status?: number;
      error?: string;
      retryAfterMs?: number;
      /** What to answer if this was the last attempt. */
      failure: T;
    };

/** Settings of {@link FallbackRunner}. */
export interface FallbackSettings {
  /** Longest retry-after the gateway waits for inside one request (longer: pass the 429 on). */
  maxRetryWaitMs: number;
  now?: () => number;
  sleep?: (ms: number, signal?: CancelSignal) => Promise<void>;
}

const ALL_TRIGGERS = ['connection_error', 'rate_limit', 'server_error', 'timeout'];

/** Classifies an HTTP status as a fallback trigger, or undefined when it is not retryable. */
export function statusTrigger(status: number): string | undefined {
  if (status === 429) return 'rate_limit';
  if (status >= 500) return 'server_error';
  return undefined;
}

/** Parses `retry-after` (seconds or an HTTP date) and `retry-after-ms` into milliseconds. */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (Number.isFinite(ms) && ms >= 0 && headers['retry-after-ms'] !== undefined) return ms;
  const raw = headers['retry-after'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v === '') return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(v);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

function defaultSleep(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs attempts over a pack's targets in order; keeps per-target retry-after cool-downs across requests. */
export class FallbackRunner {
  private readonly coolUntil = new Map<string, number>();
  private readonly order: IrTarget[];
  private readonly triggers: Set<string>;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: CancelSignal) => Promise<void>;

  constructor(
    targets: readonly IrTarget[],
    fallback: IrFallback | null | undefined,
    private readonly settings: FallbackSettings,
  ) {
    const byId = new Map(targets.map((t) => [t.id, t]));
    // The compiled order lists every target unless the pack names a subset; unusable ones are skipped.
    const ordered = fallback ? fallback.order.map((id) => byId.get(id)).filter((t): t is IrTarget => Boolean(t)) : [...targets];
    this.order = ordered.length > 0 ? ordered : [...targets];
    this.triggers = new Set(fallback?.triggers ?? ALL_TRIGGERS);
    this.maxAttempts = fallback?.enabled ? 1 + fallback.maxAttempts : 1;
    this.now = settings.now ?? Date.now;
    this.sleep = settings.sleep ?? defaultSleep;
  }

  /** The targets in attempt order. */
  get targets(): readonly IrTarget[] {
    return this.order;
  }

  /**
   * Tries targets in order until one succeeds, a failure is not a trigger, or attempts run out.
   * Appends one entry per attempt to `attempts`; waits for a retry-after only up to `maxRetryWaitMs`.
   */
  async run<T>(
    attempt: (target: IrTarget) => Promise<AttemptOutcome<T>>,
    attempts: AttemptRecord[],
    onAllCooling: (retryAfterMs: number) => T,
    signal?: CancelSignal,
  ): Promise<T> {
    let last: { failure: T } | undefined;
    let tried = 0;
    const triedCount = new Map<string, number>();
    while (tried < this.maxAttempts && !signal?.aborted) {
      const t = this.now();
      const cool = (x: IrTarget): number => Math.max(0, (this.coolUntil.get(x.id) ?? 0) - t);
      // Prefer a target not yet tried in this request and not cooling down after a retry-after.
      let target = this.order.find((x) => !triedCount.has(x.id) && cool(x) === 0);
      if (!target) {
        // Otherwise retry the target that is ready soonest, with a short backoff, if that is within the bound.
        const ranked = this.order
          .map((x) => ({ x, wait: Math.max(cool(x), triedCount.has(x.id) ? 50 * 2 ** ((triedCount.get(x.id) ?? 1) - 1) : 0) }))
          .filter((c) => c.wait <= this.settings.maxRetryWaitMs)
          .sort((a, b) => a.wait - b.wait);
        if (ranked.length === 0) break;
        target = ranked[0].x;
        if (ranked[0].wait > 0) await this.sleep(ranked[0].wait, signal);
        if (signal?.aborted) break;
      }
      triedCount.set(target.id, (triedCount.get(target.id) ?? 0) + 1);
      tried++;
      const t0 = this.now();
      const out = await attempt(target);
      if (out.ok) {
        attempts.push({ target: target.id, status: 200, ms: this.now() - t0 });
        this.coolUntil.delete(target.id);
        return out.value;
      }
      last = out;
      const fires = out.trigger !== undefined && this.triggers.has(out.trigger);
      attempts.push({
        target: target.id,
        ...(out.status !== undefined ? { status: out.status } : {}),
        ...(out.error ? { error: out.error } : {}),
        ...(fires ? { trigger: out.trigger } : {}),
        ms: this.now() - t0,
      });
      if (out.retryAfterMs !== undefined) this.coolUntil.set(target.id, this.now() + out.retryAfterMs);
      if (!fires) break;
    }
    if (last) return last.failure;
    const soonest = Math.min(...this.order.map((t) => (this.coolUntil.get(t.id) ?? 0) - this.now()));
    return onAllCooling(Math.max(0, soonest));
  }
}
