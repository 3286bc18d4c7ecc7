// Rule regex-catastrophic: nested quantifiers can backtrack exponentially on crafted input (ReDoS on the gateway).
import { createRequire } from 'node:module';
import type { Rule } from '../rule.js';
import { findPatterns } from '../patterns.js';

type SafeRegex = (re: string | RegExp, opts?: { limit?: number }) => boolean;
let safeRegex: SafeRegex | undefined;

/** safe-regex2 (star-height check), loaded only when a pack has custom patterns. */
function isSafe(source: string): boolean {
  safeRegex ??= createRequire(import.meta.url)('safe-regex2') as SafeRegex;
  return safeRegex(source);
}

/** regex-catastrophic */
export const regexCatastrophic: Rule = {
  id: 'regex-catastrophic',
  meta: {
    summary: 'A custom pattern nests quantifiers (like (a+)+) and can backtrack catastrophically on crafted input.',
    defaultSeverity: 'error',
    docs: 'docs/rules/regex-catastrophic.md',
  },
  check({ data }) {
    return findPatterns(data).flatMap(({ source, flags, path }) => {
      try {
        new RegExp(source, flags);
      } catch {
        return []; // regex-invalid reports it
      }
      return isSafe(source)
        ? []
        : [
            {
              path,
              message: 'pattern nests quantifiers and can backtrack catastrophically; one crafted prompt could stall the gateway',
              hint: 'remove the nested repetition, e.g. (a+)+ -> a+, (\\w+\\s?)* -> [\\w\\s]*',
            },
          ];
    });
  },
};
