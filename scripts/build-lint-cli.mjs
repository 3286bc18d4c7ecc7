// Bundles the `ktpack lint` entry (src/cli/lint-main.ts) into one CommonJS file, dist/lint-cli.cjs, for CI's cold start.
// CommonJS so bin/ktpack.js can compile it with a V8 code cache (src/cli/code-cache.ts); node:vm scripts cannot
// run import() on Node 20, so colour (chalk) and globs (tinyglobby) are bundled too, initialised only when used.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src/cli/lint-main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/lint-cli.cjs', import.meta.url).pathname,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // Loaded with require() only on demand (fallback schema compiler, custom regex check): resolved from node_modules.
  external: ['ajv', 'ajv-formats', 'safe-regex2'],
  define: { 'import.meta.url': '__ktpackUrl' },
  banner: { js: "// ktpack lint entry, bundled by scripts/build-lint-cli.mjs.\nconst __ktpackUrl = require('node:url').pathToFileURL(__filename).href;" },
  logOverride: { 'empty-import-meta': 'silent' },
});
