// Rule secret-ref-name: secret_key_ref names must be valid environment-variable or secret-store names.
import type { JsonPath } from '../../diagnostics.js';
import type { Rule, RuleFinding } from '../rule.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STORE_NAME = /^[A-Za-z0-9_.-]+$/;

/** secret-ref-name */
export const secretRefName: Rule = {
  id: 'secret-ref-name',
  meta: {
    summary: 'A secret_key_ref (or *_env field) names an environment variable or secret-store entry that cannot exist.',
    defaultSeverity: 'error',
    docs: 'docs/rules/secret-ref-name.md',
  },
  check({ data }) {
    const out: RuleFinding[] = [];
    const walk = (node: unknown, path: JsonPath): void => {
      if (Array.isArray(node)) return node.forEach((v, i) => walk(v, [...path, i]));
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        const here = [...path, key];
        const inRef = path[path.length - 1] === 'secret_key_ref';
        if (typeof value === 'string' && ((inRef && key === 'env') || (key.endsWith('_env') && !inRef))) {
          if (!ENV_NAME.test(value)) {
            out.push({
              path: here,
              // The value is not echoed: a key pasted where its variable name belongs is a secret.
              message: `${key} is not a valid environment variable name`,
              hint: /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(value) ? `write the bare name: ${value.replace(/^\$\{?|\}$/g, '')}` : 'use letters, digits and _ only, not starting with a digit',
            });
          }
        } else if (inRef && key === 'store' && typeof value === 'string') {
          if (!STORE_NAME.test(value)) {
            out.push({ path: here, message: 'secret_key_ref.store is not a valid secret-store name (ASCII letters, digits, _, - and . only)' });
          }
        } else {
          walk(value, here);
        }
      }
    };
    walk(data, []);
    return out;
  },
};
