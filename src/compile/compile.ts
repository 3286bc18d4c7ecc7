// Compiles a lint-clean pack document into the IR. Pure and deterministic: no fs, no clock.
import { DOCS_BASE, formatPath, type Diagnostic, type JsonPath } from '../diagnostics.js';
import { getKind } from '../kinds/index.js';
import type { PackData } from '../lint/rule.js';
import type { PackDocument } from '../load/document.js';
import { IR_VERSION, type IrAudit, type IrStep, type IrTarget, type PolicyIr, type SourceRef } from '../runtime/types.js';

/** Default upstream for OpenAI targets. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Result of compiling: an IR, or diagnostics explaining why there is none. */
export interface CompileResult {
  ir?: PolicyIr;
  diagnostics: Diagnostic[];
}

/** Compiles `doc` (which must already lint clean). `file` names the pack in `src` refs. */
export function compile(doc: PackDocument, file = 'policy-config.yaml'): CompileResult {
  const data = doc.data as PackData;
  const diagnostics: Diagnostic[] = [];
  const src = (path: JsonPath): SourceRef => ({ file, path: formatPath(path), line: doc.lineOf(path) });
  const fail = (path: JsonPath, code: string, message: string): void => {
    diagnostics.push({
      code: `compile/${code}`,
      severity: 'error',
      message,
      source: doc.source,
      path,
      range: doc.rangeOf(path),
      docsUrl: `${DOCS_BASE}/diagnostics.md#compile`,
    });
  };

  const request: IrStep[] = [];
  const response: IrStep[] = [];
  let audit: IrAudit | null = null;
  const chain = (data.policies?.chain ?? []) as string[];
  chain.forEach((name, i) => {
    const kind = getKind(name);
    if (!kind) {
      fail(['policies', 'chain', i], 'unknown-kind', `cannot compile unknown policy kind "${name}"`);
      return;
    }
    const blockPath: JsonPath = data.policy?.[name] ? ['policy', name] : ['policies', 'chain', i];
    const lowered = kind.lower(data.policy?.[name] ?? {}, { src: src(blockPath) });
    if (lowered.audit) audit = { ...lowered.audit, src: src(blockPath) };
    if (lowered.step) {
      const step: IrStep = { policy: name, kind: kind.id, action: lowered.step.action, options: lowered.step.options, src: src(blockPath) };
      if (kind.meta.phase === 'request' || kind.meta.phase === 'both') request.push(step);
      if (kind.meta.phase === 'response' || kind.meta.phase === 'both') response.push(step);
    }
  });

  const targets: IrTarget[] = (data.providers?.targets ?? []).map((t, i) => lowerTarget(t, src(['providers', 'targets', i])));
  if (diagnostics.length > 0) return { diagnostics };
  const pack = data.pack ?? {};
  return {
    diagnostics,
    ir: {
      irVersion: IR_VERSION,
      pack: { name: String(pack.name), version: String(pack.version), enabled: pack.enabled !== false },
      request,
      response,
      targets,
      audit,
    },
  };
}

/** Resolves `provider: openai:chat:gpt-4o` and `provider: openai` + `model` into one shape. */
function lowerTarget(t: Record<string, unknown>, src: SourceRef): IrTarget {
  const providerField = String(t.provider);
  const parts = providerField.split(':');
  const provider = parts[0];
  const modelFromId = parts.length >= 3 ? parts.slice(2).join(':') : null;
  const model = typeof t.model === 'string' ? t.model : modelFromId;
  const ref = t.secret_key_ref as { env?: string } | undefined;
  return {
    id: String(t.id),
    provider,
    model,
    baseUrl: typeof t.base_url === 'string' ? t.base_url.replace(/\/+$/, '') : OPENAI_BASE_URL,
    secretEnv: ref?.env ?? null,
    src,
  };
}
