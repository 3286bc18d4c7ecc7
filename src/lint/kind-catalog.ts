// Which policy kinds exist: those ktpack runs (src/kinds) and those only documented by Keeptrusts.
import { KINDS } from '../kinds/index.js';

/**
 * Kinds documented in the Keeptrusts format that ktpack cannot run yet, sorted. The pack schema
 * lists the same names under `policy` (a meta-test keeps them in agreement), so a block for one
 * of them is reported by name by the `unsupported-kind` rule rather than as a typo.
 */
export const UNSUPPORTED_KINDS: readonly string[] = [
  'agent-firewall',
  'bias-monitor',
  'bot-detector',
  'case-privacy',
  'citation-verifier',
  'cjis-mode',
  'code-sanitizer',
  'content-extractor',
  'data-routing-policy',
  'dlp-filter',
  'document-analyzer',
  'dual-use-filter',
  'embedding-detector',
  'entity-list-filter',
  'eu-ai-act',
  'external-moderation',
  'financial-compliance',
  'flagged-review',
  'gdpr-compliance',
  'healthcare-compliance',
  'hipaa-phi-detector',
  'human-oversight',
  'itar-ear-filter',
  'language-validator',
  'legal-privilege',
  'mnpi-filter',
  'quality-scorer',
  'rbac',
  'safety-filter',
  'student-privacy',
  'tool-budget',
  'tool-security',
  'tool-validation',
  'upl-filter',
];

/** Kinds the seed pack page uses whose kind modules are still being written (src/kinds). */
const SEED_KINDS: readonly string[] = ['content-filter', 'cost-attribution'];

/** Kinds that ktpack can compile and run. */
export function supportedKindIds(): string[] {
  return KINDS.map((k) => k.id);
}

/** True when `id` is a documented kind that ktpack cannot run yet (and no kind module runs it). */
export function isUnsupportedKind(id: string): boolean {
  return (UNSUPPORTED_KINDS.includes(id) || SEED_KINDS.includes(id)) && !supportedKindIds().includes(id);
}
