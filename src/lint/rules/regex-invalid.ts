// Rule regex-invalid: a custom pattern that does not compile would make the policy fail at load (or match nothing).
import type { Rule } from '../rule.js';
import { findPatterns } from '../patterns.js';

/** regex-invalid */
export const regexInvalid: Rule = {
  id: 'regex-invalid',
  meta: {
    summary: 'A custom pattern (detect_patterns, attack_patterns, blocked_patterns) is not a valid JavaScript regular expression.',
    defaultSeverity: 'error',
    docs: 'docs/rules/regex-invalid.md',
  },
  check({ data }) {
    return findPatterns(data).flatMap(({ source, flags, path }) => {
      try {
        new RegExp(source, flags);
        return [];
      } catch (e) {
        const reason = (e instanceof Error ? e.message : String(e)).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
        const inline = /^\(\?[a-z]+\)/.test(source);
        return [
          {
            path,
            message: `pattern does not compile: ${reason}`,
            hint: inline ? 'JavaScript regexes have no inline flags like (?i); ktpack matches patterns case-insensitively where the kind says so' : 'patterns use JavaScript regular-expression syntax; in YAML prefer single quotes so backslashes stay literal',
          },
        ];
      }
    });
  },
};
