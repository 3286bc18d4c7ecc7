// Finds validators precompiled at build time (scripts/build-validators.mjs writes them to dist/generated/).
import { createRequire } from 'node:module';

/**
 * Requires `dist/generated/<name>` synchronously for the module at `from` (its `import.meta.url`), which
 * lives in a folder of dist/ or is a bundled entry in dist/ itself. Undefined when running from source
 * (tests), where there is no dist/generated: the caller then compiles its schema with ajv at run time.
 */
export function requirePrecompiled<T>(name: string, from: string): T | undefined {
  const require = createRequire(from);
  for (const rel of [`../generated/${name}`, `./generated/${name}`]) {
    try {
      return require(rel) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return undefined;
}
