// The contract of a lint rule: one file per rule under rules/, listed in rules/index.ts.
import type { JsonPath, Severity } from '../diagnostics.js';

/** A finding reported by a rule; lint() turns the path into a range. */
export interface RuleFinding {
  path: JsonPath;
  message: string;
  /** Which part of the node to underline (default 'value'). */
  part?: 'key' | 'value';
  hint?: string;
}

/** What a rule sees: the schema-valid pack data. */
export interface RuleContext {
  data: PackData;
}

/** Loosely typed view of a schema-valid pack. */
export interface PackData {
  pack?: { name?: string; version?: string; enabled?: boolean };
  providers?: { targets?: Array<Record<string, unknown>> };
  policies?: { chain?: unknown[] };
  policy?: Record<string, Record<string, unknown> | null>;
  [key: string]: unknown;
}

/** A lint rule. */
export interface Rule {
  id: string;
  meta: { summary: string; defaultSeverity: Severity; docs: string };
  check(ctx: RuleContext): RuleFinding[];
}
