// Renders a pack diff for humans, as JSON, and as GitHub Actions annotations. Pure functions.
import type { PackChange } from './diff-packs.js';

const MARK: Record<PackChange['impact'], string> = { weakens: '!', strengthens: '+', changes: '~' };

/** Human-readable diff. */
export function formatDiffHuman(oldName: string, newName: string, changes: readonly PackChange[]): string {
  if (changes.length === 0) return `${oldName} -> ${newName}: no semantic changes\n`;
  const weak = changes.filter((c) => c.impact === 'weakens').length;
  const lines = [`${oldName} -> ${newName}: ${changes.length} change${changes.length === 1 ? '' : 's'}, ${weak} weaken${weak === 1 ? 's' : ''} protection`];
  for (const c of changes) lines.push(`  ${MARK[c.impact]} ${c.impact.padEnd(11)} ${c.message}${c.src ? `  (${c.src.file}:${c.src.line})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** `{weakens, changes}` JSON. */
export function formatDiffJson(changes: readonly PackChange[]): string {
  return `${JSON.stringify({ weakens: changes.filter((c) => c.impact === 'weakens').length, changes }, null, 2)}\n`;
}

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * GitHub Actions workflow commands: a warning per change that weakens protection, a notice per
 * other change, annotated on `file` (the new pack as the workflow sees it) at the change's line.
 */
export function formatDiffGithub(file: string | undefined, changes: readonly PackChange[]): string {
  return changes
    .map((c) => {
      const level = c.impact === 'weakens' ? 'warning' : 'notice';
      const props = [file ? `file=${escapeProperty(file)}` : '', file && c.src ? `line=${c.src.line}` : '', `title=${escapeProperty(`ktpack diff: ${c.impact === 'weakens' ? 'weakens protection' : c.impact}`)}`].filter(Boolean);
      return `::${level} ${props.join(',')}::${escapeData(c.message)}\n`;
    })
    .join('');
}
