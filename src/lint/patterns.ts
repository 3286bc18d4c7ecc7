// Finds the user-written regular expressions in a pack (detect/attack/blocked patterns) with their JSON paths.
import type { JsonPath } from '../diagnostics.js';
import type { PackData } from './rule.js';

/** A regular expression written in the pack. */
export interface PackPattern {
  source: string;
  /** Flags the runtime compiles this pattern with (`u` rejects some escapes that plain mode accepts). */
  flags: string;
  /** Path of the string itself. */
  path: JsonPath;
}

const PATTERN_LISTS = new Set(['detect_patterns', 'attack_patterns', 'blocked_patterns', 'additional_patterns']);
// As in src/runtime/kinds: injection and content patterns are case-insensitive Unicode regexes.
const FLAGS: Record<string, string> = { attack_patterns: 'iu', blocked_patterns: 'iu' };
// case-privacy's detect_patterns holds category names, not regexes.
const NAME_LISTS = new Set(['case-privacy']);

/** Every regex source in policy blocks (and in a stand-alone policy document). */
export function findPatterns(data: PackData): PackPattern[] {
  const out: PackPattern[] = [];
  const walk = (node: unknown, path: JsonPath): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, [...path, i]));
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, key];
      if (PATTERN_LISTS.has(key) && Array.isArray(value) && !NAME_LISTS.has(String(path[1]))) {
        value.forEach((item, i) => {
          const flags = Object.hasOwn(FLAGS, key) ? FLAGS[key] : '';
          if (typeof item === 'string') out.push({ source: item, flags, path: [...here, i] });
          else if (item && typeof item === 'object' && typeof (item as { pattern?: unknown }).pattern === 'string') {
            out.push({ source: (item as { pattern: string }).pattern, flags, path: [...here, i, 'pattern'] });
          }
        });
      } else {
        walk(value, here);
      }
    }
  };
  if (data.pack) walk(data.policy, ['policy']);
  else walk(data, []);
  return out;
}
