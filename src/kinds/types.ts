// The build-half contract every policy kind implements (linter, compiler, type generator, docs).
import type { JsonPath } from '../diagnostics.js';
import type { IrAudit, IrCost, PolicyAction, SourceRef } from '../runtime/types.js';

/** Descriptive metadata of a kind. */
export interface KindMeta {
  summary: string;
  /** Where the kind acts: on the request, the response, both, or neither (record-only). */
  phase: 'request' | 'response' | 'both' | 'none';
  actions: readonly PolicyAction[];
  docs: string;
}

/** A semantic problem a kind finds in its own options; paths are relative to the options block. */
export interface KindFinding {
  path: JsonPath;
  message: string;
  severity?: 'error' | 'warning' | 'info';
  code: string;
}

/** What lowering one policy block contributes to the IR. */
export interface Lowered {
  step?: { action: PolicyAction; options: Record<string, unknown> };
  audit?: Omit<IrAudit, 'src'>;
  cost?: Omit<IrCost, 'src'>;
}

/** Context passed to lower(). */
export interface LowerContext {
  src: SourceRef;
}

/** The build half of a policy kind. */
export interface KindDefinition {
  /** kebab-case id; equals the YAML name and the folder name. */
  id: string;
  meta: KindMeta;
  /** Options schema, relative to schemas/. */
  schemaFile: string;
  /** Semantic checks beyond the schema. */
  check?(options: Record<string, unknown>): KindFinding[];
  /**
   * Options set in the pack that the runtime cannot execute yet (paths relative to the options block):
   * the build fails rather than drop them, and the lint rule unsupported-option reports them first.
   */
  unsupported?(options: Record<string, unknown>): KindFinding[];
  /** Lowers validated options (defaults not yet filled) to IR contributions. */
  lower(options: Record<string, unknown>, ctx: LowerContext): Lowered;
}
