// Rule unsupported-option: an option the runtime cannot execute yet; ktpack build refuses it (compile/unsupported-option).
import { buildRefusals } from '../../compile/build-refusals.js';
import type { Rule } from '../rule.js';

/** unsupported-option */
export const unsupportedOption: Rule = {
  id: 'unsupported-option',
  meta: {
    summary: 'An option is set that ktpack cannot execute yet (healthcare_mode, a secret store), so ktpack build refuses the pack.',
    defaultSeverity: 'error',
    docs: 'docs/rules/unsupported-option.md',
  },
  check({ data }) {
    // The compiler's own list (src/compile/build-refusals.ts), so lint and build cannot disagree.
    return buildRefusals(data)
      .filter((r) => r.code === 'unsupported-option')
      .map((r) => ({
        path: r.path,
        message: r.message,
        hint: r.path.includes('secret_key_ref') ? 'put the key in an environment variable the gateway can read, e.g. secret_key_ref: {env: OPENAI_API_KEY}' : 'remove the option (ktpack would otherwise drop the protection it asks for)',
      }));
  },
};
