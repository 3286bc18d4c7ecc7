// Loader hooks of test/helpers/module-trace.mjs: appends the URL of every ES module (and CommonJS entry) loaded.
import { appendFileSync } from 'node:fs';

/** Records `url`, then loads it as usual. */
export async function load(url, context, next) {
  appendFileSync(process.env.KTPACK_MODULE_TRACE, `${url}\n`);
  return next(url, context);
}
