// The ktpack version, read once from package.json.
import { readFileSync } from 'node:fs';

/** ktpack's own version. */
export const KTPACK_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
