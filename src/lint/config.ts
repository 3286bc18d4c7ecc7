// Lint settings files (.ktpackrc.yaml / .ktpackrc.json): per-rule severity overrides and disabling.
import { parse } from 'yaml';
import { didYouMean } from '../diagnostics.js';
import type { RuleSetting } from './lint.js';
import { RULES } from './rules/index.js';

/** Parsed lint settings. */
export interface LintConfig {
  rules: Record<string, RuleSetting>;
}

export { CONFIG_FILE_NAMES } from './config-files.js';

const LEVELS: readonly string[] = ['error', 'warning', 'info', 'off'];
const ALIASES: Record<string, RuleSetting> = { warn: 'warning', '0': 'off', '1': 'warning', '2': 'error' };

/** A problem in a settings file or a --rule flag; the CLI reports it as a usage error. */
export class LintConfigError extends Error {}

/** Checks one `rule-id: level` pair, throwing a {@link LintConfigError} with a did-you-mean. */
export function parseRuleSetting(id: string, level: unknown, where: string): [string, RuleSetting] {
  const ids = RULES.map((r) => r.id);
  if (!ids.includes(id)) {
    const suggestion = didYouMean(id, ids);
    throw new LintConfigError(`${where}: unknown rule "${id}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
  }
  const text = String(level);
  const setting = (LEVELS.includes(text) ? text : Object.hasOwn(ALIASES, text) ? ALIASES[text] : undefined) as RuleSetting | undefined;
  if (!setting) throw new LintConfigError(`${where}: rule "${id}" has level "${text}"; use one of ${LEVELS.join(', ')}`);
  return [id, setting];
}

/** Parses the text of a settings file (YAML or JSON). */
export function parseLintConfig(text: string, file: string): LintConfig {
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 20, logLevel: 'error' }) ?? {};
  } catch (e) {
    throw new LintConfigError(`${file}: not valid YAML/JSON (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new LintConfigError(`${file}: must be a mapping with a \`rules\` key`);
  const unknown = Object.keys(data).filter((k) => k !== 'rules');
  if (unknown.length) throw new LintConfigError(`${file}: unknown key "${unknown[0]}" (only \`rules\` is allowed)`);
  const rules = (data as { rules?: unknown }).rules ?? {};
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) throw new LintConfigError(`${file}: \`rules\` must map rule ids to levels`);
  return { rules: Object.fromEntries(Object.entries(rules).map(([id, level]) => parseRuleSetting(id, level, file))) };
}
