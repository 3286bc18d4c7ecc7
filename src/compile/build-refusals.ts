// What ktpack build refuses in a schema-valid pack, found by one function for the compiler and the linter alike.
import type { JsonPath } from '../diagnostics.js';
import { getKind } from '../kinds/index.js';
import type { PackData } from '../lint/rule.js';

/**
 * One thing the build refuses. `code` is the compile code without `compile/`, and the id of the lint
 * rule that reports the same finding before a build is tried (unsupported-option, literal-secret).
 */
export interface BuildRefusal {
  code: 'unsupported-option' | 'literal-secret';
  path: JsonPath;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Options that a pack may set but the runtime cannot execute, and credentials a bundle must never carry:
 * the compiler fails on each (so no bundle silently drops protection) and the linter reports each, with the
 * same message, so a pack that lints clean also builds. Copes with any data (the linter may run it on
 * documents that fail the schema). Messages never quote a value of `api_key`.
 */
export function buildRefusals(data: PackData): BuildRefusal[] {
  // A stand-alone policy document is refused as a whole (compile/single-policy-document).
  if (!isObject(data) || !data.pack) return [];
  const out: BuildRefusal[] = [];
  const chain = Array.isArray(data.policies?.chain) ? data.policies.chain : [];
  const blocks = isObject(data.policy) ? data.policy : {};
  for (const name of chain) {
    if (typeof name !== 'string') continue;
    const kind = getKind(name);
    const options = blocks[name];
    if (!kind?.unsupported) continue;
    for (const f of kind.unsupported(isObject(options) ? options : {})) {
      out.push({ code: 'unsupported-option', path: ['policy', name, ...f.path], message: `${name}: ${f.message} (the runtime cannot execute it, so no bundle is built)` });
    }
  }
  const targets = Array.isArray(data.providers?.targets) ? data.providers.targets : [];
  targets.forEach((t, i) => {
    if (!isObject(t)) return;
    const at: JsonPath = ['providers', 'targets', i];
    const id = typeof t.id === 'string' ? t.id : String(i);
    if (typeof t.api_key === 'string') {
      // Not even a ${VAR} reference: ktpack does not expand it, and the key would have to travel in the bundle.
      const variable = /^\s*\$\{([A-Za-z_][A-Za-z0-9_]*)\}\s*$/.exec(t.api_key)?.[1];
      out.push({
        code: 'literal-secret',
        path: [...at, 'api_key'],
        message: variable
          ? `target "${id}": api_key is never compiled into a bundle, and ktpack does not expand \${${variable}}; use secret_key_ref: {env: ${variable}}`
          : `target "${id}": a literal api_key is never compiled into a bundle; use secret_key_ref: {env: NAME}`,
      });
    }
    if (isObject(t.secret_key_ref) && t.secret_key_ref.store !== undefined) {
      out.push({ code: 'unsupported-option', path: [...at, 'secret_key_ref', 'store'], message: `target "${id}": secret stores are not supported by ktpack serve; use secret_key_ref: {env: NAME}` });
    }
  });
  return out;
}
