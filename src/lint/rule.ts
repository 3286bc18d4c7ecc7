// The contract of a lint rule: one file per rule under rules/, listed in rules/index.ts.
import type { JsonPath, Range, Severity } from '../diagnostics.js';

/** A finding reported by a rule; lint() turns the path into a range unless `range` is given. */
export interface RuleFinding {
  path: JsonPath;
  message: string;
  /** Which part of the node to underline (default 'value'). */
  part?: 'key' | 'value';
  /** An exact range (for findings in raw text, e.g. comments); overrides `path`'s range. */
  range?: Range;
  /** Overrides the rule's default severity for this finding (used by kind-options). */
  severity?: Severity;
  hint?: string;
  /** The range holds a secret: formatters must mask it in code frames and snippets. */
  secret?: boolean;
}

/** What a rule sees. */
export interface RuleContext {
  /** The parsed pack; schema-valid unless the rule sets `meta.runsOnInvalid`. */
  data: PackData;
  /** The raw file text (BOM removed), for rules that look at comments or exact spelling. */
  text: string;
}

/** Loosely typed view of a schema-valid pack. */
export interface PackData {
  pack?: { name?: string; version?: string; enabled?: boolean };
  providers?: {
    targets?: Array<Record<string, unknown>>;
    fallback?: { targets?: string[] };
  };
  policies?: { chain?: unknown[] };
  policy?: Record<string, Record<string, unknown> | null>;
  provider_fallback?: { targets?: string[] };
  model_groups?: Array<{ name?: string; targets?: string[]; fallback_group?: string }>;
  [key: string]: unknown;
}

/** Metadata of a rule, shown in docs and used for defaults. */
export interface RuleMeta {
  summary: string;
  defaultSeverity: Severity;
  /** Docs page relative to the repository root: docs/rules/<id>.md. */
  docs: string;
  /** Run even when the schema rejected the document (the rule must cope with any data). */
  runsOnInvalid?: boolean;
}

/** A lint rule. */
export interface Rule {
  id: string;
  meta: RuleMeta;
  check(ctx: RuleContext): RuleFinding[];
}
