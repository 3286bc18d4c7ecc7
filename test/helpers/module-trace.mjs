// Preload (`node --import`) that records every module a process loads into the file named by KTPACK_MODULE_TRACE.
// ES modules are recorded by a loader hook as they load; CommonJS modules (whose require() calls no hook on
// Node 20) are taken from require.cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.KTPACK_MODULE_TRACE;
if (file) {
  register(new URL('./module-trace-hooks.mjs', import.meta.url));
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    appendFileSync(file, Object.keys(require.cache).map((f) => `${f}\n`).join(''));
  });
}

