// Rule threshold-range: scores and confidences are in [0, 1]; a value outside never (or always) triggers.
import type { JsonPath } from '../../diagnostics.js';
import type { Rule, RuleFinding } from '../rule.js';

const SCORE_KEY = /(^|_)threshold$|^min_confidence$|^min_groundedness$|^sample_rate$/;

/** threshold-range */
export const thresholdRange: Rule = {
  id: 'threshold-range',
  meta: {
    summary: 'A threshold or confidence is outside [0, 1], so the policy would never (or always) trigger.',
    defaultSeverity: 'error',
    docs: 'docs/rules/threshold-range.md',
  },
  check({ data }) {
    const out: RuleFinding[] = [];
    const walk = (node: unknown, path: JsonPath): void => {
      if (Array.isArray(node)) return node.forEach((v, i) => walk(v, [...path, i]));
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        const here = [...path, key];
        if (typeof value === 'number' && SCORE_KEY.test(key) && (value < 0 || value > 1 || Number.isNaN(value))) {
          // 80 was meant as 80 %; 1.5 is just out of range.
          const hint = Number.isInteger(value) && value > 1 && value <= 100 ? `scores are fractions: write ${value / 100} for ${value}%` : 'use a value between 0 and 1';
          out.push({ path: here, message: `${key} is ${value}; it must be between 0 and 1`, hint });
        } else {
          walk(value, here);
        }
      }
    };
    // Scores live in policy settings, and at the top level of a stand-alone policy document.
    if (data.pack) walk(data.policy, ['policy']);
    else walk(data, []);
    return out;
  },
};
