// Run half of prompt-injection: scores every request text and blocks (or warns) at the threshold, naming the signals and where they fired.
import { combine, scoreInjection, type InjectionOptions, type InjectionScore, type InjectionSignal } from '../detectors/injection.js';
import type { RunKind } from '../step.js';

const compiled = new WeakMap<object, InjectionOptions>();

/**
 * Chat clients resend the system prompt and the whole history on every turn: scores of texts seen
 * recently are reused (per policy options; bounded; deterministic, so results are unchanged).
 */
const scoreCache = new WeakMap<InjectionOptions, Map<string, InjectionScore>>();
const CACHE_ENTRIES = 256;
const CACHE_MIN_LENGTH = 256;

function cachedScore(text: string, options: InjectionOptions): InjectionScore {
  if (text.length < CACHE_MIN_LENGTH) return scoreInjection(text, options);
  let cache = scoreCache.get(options);
  if (!cache) scoreCache.set(options, (cache = new Map()));
  let r = cache.get(text);
  if (r) {
    // Refresh recency: Map iteration order is insertion order, so the oldest entry is evicted first.
    cache.delete(text);
  } else {
    r = scoreInjection(text, options);
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  }
  cache.set(text, r);
  return r;
}

function detectorOptions(options: Record<string, unknown>): InjectionOptions {
  let o = compiled.get(options);
  if (!o) {
    const enc = (options.encoding as Record<string, boolean> | undefined) ?? {};
    o = {
      decodeBase64: enc.decodeBase64 !== false,
      normalizeUnicode: enc.normalizeUnicode !== false,
      detectHomoglyphs: enc.detectHomoglyphs !== false,
      rejectFakeBoundaries: options.rejectFakeBoundaries !== false,
      attackPatterns: ((options.attackPatterns as string[] | undefined) ?? []).flatMap((s) => {
        try {
          return [new RegExp(s, 'iu')];
        } catch {
          return [];
        }
      }),
    };
    compiled.set(options, o);
  }
  return o;
}

/** prompt-injection step. */
export const promptInjection: RunKind = {
  id: 'prompt-injection',
  step(node, view) {
    const threshold = Number(node.options.threshold ?? 0.8);
    const options = detectorOptions(node.options);
    let best = 0;
    let bestHits: Array<{ path: string; signal: InjectionSignal }> = [];
    const all: Array<{ path: string; signal: InjectionSignal }> = [];
    for (const slot of view.slots) {
      const r = cachedScore(slot.text, options);
      const hits = r.signals.map((signal) => ({ path: slot.path, signal }));
      all.push(...hits);
      if (r.score > best) {
        best = r.score;
        bestHits = hits;
      }
    }
    // A multi-turn setup ("when I say X, you will...") arms signals in later messages: combine across the conversation.
    if (all.some((h) => h.signal.family === 'multiturn')) {
      const whole = combine(all.map((h) => h.signal));
      if (whole > best) {
        best = whole;
        bestHits = all;
      }
    }
    if (best < threshold) return { type: 'continue', score: best };
    const fired = bestHits
      .filter((h) => h.signal.weight >= 0.3)
      .slice(0, 6)
      .map((h) => `${h.signal.id}${h.signal.layer === 'text' ? '' : ` (${h.signal.layer})`} in ${h.path}`)
      .join('; ');
    const detail = `score ${best.toFixed(2)} >= ${threshold}: ${fired}`;
    const custom = typeof node.options.message === 'string' ? node.options.message : '';
    const message = custom ? `${custom} (${detail})` : `Request blocked: potential prompt injection detected (${detail})`;
    if (node.action === 'block') return { type: 'block', code: 'prompt_injection.detected', message, score: best };
    return { type: 'warn', code: 'prompt_injection.detected', message: message.replace(/^Request blocked: /, ''), score: best };
  },
};
