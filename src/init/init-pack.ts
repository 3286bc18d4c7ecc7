// Writes a template pack (policy-config.yaml + tests/) into a folder without overwriting anything unasked.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PackTemplate } from './templates.js';

/** Thrown when a file would be overwritten without `force`. */
export class InitConflictError extends Error {}

/** A pack name from a folder name: lower-case kebab, never empty. */
export function packNameFrom(dir: string): string {
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return name || 'my-policy-pack';
}

/** Writes `template` into `dir`; returns the files written, relative to `dir`. */
export async function initPack(dir: string, template: PackTemplate, options: { name?: string; force?: boolean } = {}): Promise<string[]> {
  const files: Record<string, string> = { 'policy-config.yaml': template.config(options.name ?? packNameFrom(dir)) };
  for (const t of template.tests) files[`tests/${t.file}`] = `${JSON.stringify(t.body, null, 2)}\n`;
  if (!options.force) {
    const existing = [];
    for (const f of Object.keys(files)) if (await stat(join(dir, f)).catch(() => undefined)) existing.push(f);
    if (existing.length > 0) throw new InitConflictError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} in ${dir}; use --force to overwrite`);
  }
  await mkdir(join(dir, 'tests'), { recursive: true });
  for (const [f, content] of Object.entries(files)) await writeFile(join(dir, f), content);
  return Object.keys(files);
}
