// Rule literal-secret: credentials must come from secret_key_ref, never be written in the pack (values or comments).
import { offsetRanger } from '../offsets.js';
import type { Rule, RuleContext, RuleFinding } from '../rule.js';
import { findSecrets, isInterpolation, SECRET_KEY_NAMES } from '../secrets.js';

/** Every literal secret in the pack: credential-shaped text anywhere, and values of credential keys. */
export function findLiteralSecrets({ data, text }: RuleContext): RuleFinding[] {
  const out: RuleFinding[] = [];
  const toRange = offsetRanger(text);
  for (const s of findSecrets(text)) {
    out.push({
      path: [],
      range: toRange(s.start, s.end),
      secret: true,
      message: `a literal ${s.name} is written in the pack; anyone who can read the file can use it`,
      hint: 'remove it, rotate the key, and reference it with `secret_key_ref: {env: NAME}`',
    });
  }
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...path, i]));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, key];
      if (SECRET_KEY_NAMES.has(key.toLowerCase()) && typeof value === 'string' && value.trim() !== '' && !isInterpolation(value) && findSecrets(value).length === 0) {
        out.push({
          path: here,
          secret: true,
          message: `"${key}" holds a literal credential; secrets in policy files leak through version control and CI logs`,
          hint: 'use `secret_key_ref: {env: NAME}` (or `{store: NAME}`) instead',
        });
      } else {
        walk(value, here);
      }
    }
  };
  walk(data, []);
  return out;
}

/** literal-secret */
export const literalSecret: Rule = {
  id: 'literal-secret',
  meta: {
    summary: 'A credential (API key, token, private key) is written literally in the pack or its comments.',
    defaultSeverity: 'error',
    docs: 'docs/rules/literal-secret.md',
    runsOnInvalid: true,
  },
  check: findLiteralSecrets,
};
