// Rule literal-secret: credentials must come from secret_key_ref, never be written in the pack (values or comments).
import { buildRefusals } from '../../compile/build-refusals.js';
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
  // ktpack build refuses every target api_key, a ${VAR} reference or an empty one too (compile/literal-secret):
  // report those the scans above let through, with the build's message.
  const targets = (data as { providers?: { targets?: unknown } } | null)?.providers?.targets;
  for (const r of buildRefusals(data)) {
    if (r.code !== 'literal-secret') continue;
    const value = Array.isArray(targets) ? (targets[r.path[2] as number] as { api_key?: unknown } | undefined)?.api_key : undefined;
    const reported = out.some((f) => f.path.join('\0') === r.path.join('\0')) || (typeof value === 'string' && findSecrets(value).length > 0);
    if (!reported) out.push({ path: r.path, secret: true, message: r.message, hint: 'keys come from the environment at serve time: `secret_key_ref: {env: NAME}`' });
  }
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
