// Bundles the `ktpack lint` entry (src/cli/lint-main.ts) into one file, dist/lint-cli.mjs, so CI's cold start skips resolving ~150 modules.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src/cli/lint-main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/lint-cli.mjs', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // Loaded only on demand (fallback compiler, colour, custom regex check, globs): resolved from node_modules at run time.
  external: ['ajv', 'ajv-formats', 'chalk', 'safe-regex2', 'tinyglobby'],
  banner: { js: "// ktpack lint entry, bundled by scripts/build-lint-cli.mjs.\nimport { createRequire as __ktpackRequire } from 'node:module'; const require = __ktpackRequire(import.meta.url);" },
});
