// Registry of output formats, sorted by name.
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatSarif } from './sarif.js';
import { formatStylish } from './stylish.js';
import type { FormatName } from './names.js';
import type { Formatter } from './types.js';

/** Every output format of `ktpack lint --format`, sorted by name (the same as FORMAT_NAMES). */
export const FORMATTERS: ReadonlyArray<{ name: FormatName; format: Formatter }> = [
  { name: 'github', format: formatGithub },
  { name: 'json', format: formatJson },
  { name: 'junit', format: formatJunit },
  { name: 'sarif', format: formatSarif },
  { name: 'stylish', format: formatStylish },
];

/** The formatter called `name`, or undefined. */
export function getFormatter(name: string): Formatter | undefined {
  return FORMATTERS.find((f) => f.name === name)?.format;
}

export type { FileReport, FormatOptions, Formatter } from './types.js';
