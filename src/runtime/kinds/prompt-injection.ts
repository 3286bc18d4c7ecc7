// Run half of prompt-injection: scores every request text and blocks (or warns) at the threshold, naming the signals and where they fired.
import { combine, scoreInjection, type InjectionOptions, type InjectionScore, type InjectionSignal } from '../detectors/injection.js';
import { scanRegex, type RunKind } from '../step.js';
import { DETECTOR_CACHE_LIMITS, TextCache } from '../text-cache.js';
import type { PromptInjectionOptions, PromptInjectionStep } from '../types.js';

const compiled = new WeakMap<object, InjectionOptions>();

/**
 * Chat clients resend the system prompt and the whole history on every turn: scores of texts seen
 * recently are reused (per policy options; deterministic, so results are unchanged). Bounded by
 * entries and characters, so large distinct texts cannot grow memory.
 */
const scoreCache = new WeakMap<InjectionOptions, TextCache<InjectionScore>>();

function cachedScore(text: string, options: InjectionOptions): InjectionScore {
  let cache = scoreCache.get(options);
  if (!cache) scoreCache.set(options, (cache = new TextCache(DETECTOR_CACHE_LIMITS)));
  return cache.get(text, (t) => scoreInjection(t, options));
}

function detectorOptions(options: PromptInjectionOptions): InjectionOptions {
  let o = compiled.get(options);
  if (!o) {
    o = {
      ...options.encoding,
      rejectFakeBoundaries: options.rejectFakeBoundaries,
      // The build checked every pattern; one that does not compile here is a broken IR, never silently skipped.
      attackPatterns: options.attackPatterns.map(scanRegex),
    };
    compiled.set(options, o);
  }
  return o;
}

/** prompt-injection step. */
export const promptInjection: RunKind<PromptInjectionStep> = {
  id: 'prompt-injection',
  step(node, view) {
    const threshold = node.options.threshold;
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
    const custom = node.options.message ?? '';
    const message = custom ? `${custom} (${detail})` : `Request blocked: potential prompt injection detected (${detail})`;
    if (node.action === 'block') return { type: 'block', code: 'prompt_injection.detected', message, score: best };
    return { type: 'warn', code: 'prompt_injection.detected', message: message.replace(/^Request blocked: /, ''), score: best };
  },
};
