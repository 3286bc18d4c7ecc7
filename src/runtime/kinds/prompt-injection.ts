// Run half of prompt-injection: scores each request text and blocks (or warns) at the threshold.
import { scoreInjection } from '../detectors/injection.js';
import type { RunKind } from '../step.js';

/** prompt-injection step. */
export const promptInjection: RunKind = {
  id: 'prompt-injection',
  step(node, view) {
    const threshold = Number(node.options.threshold ?? 0.8);
    let best = 0;
    let where = '';
    let signals: string[] = [];
    for (const slot of view.slots) {
      const r = scoreInjection(slot.text);
      if (r.score > best) {
        best = r.score;
        where = slot.path;
        signals = r.signals.map((s) => s.id);
      }
    }
    if (best < threshold) return { type: 'continue', score: best };
    const message = `Request blocked: potential prompt injection detected (score ${best.toFixed(2)} >= ${threshold}; ${signals.join(', ')} in ${where})`;
    if (node.action === 'block') return { type: 'block', code: 'prompt_injection.detected', message, score: best };
    return { type: 'warn', code: 'prompt_injection.detected', message, score: best };
  },
};
