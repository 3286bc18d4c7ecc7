#!/usr/bin/env node
// Entry point: runs the compiled CLI and turns its result into the process exit code.
// `ktpack lint` runs the bundled lint entry (dist/lint-cli.cjs) through a V8 code cache for a fast cold start in CI;
// `ktpack build` uses dist/build-cli.mjs. Both fall back to the full CLI.
// A reader that stops early (`ktpack lint packs | head`) closes the pipe: stop writing quietly, keep the exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
const command = process.argv[2];
const lint = command === 'lint' ? await import('../dist/cli/code-cache.js').then((m) => m.loadLintEntry()).catch(() => undefined) : undefined;
const { main } = lint ?? (command === 'build' ? await import('../dist/build-cli.mjs').catch(() => import('../dist/cli/main.js')) : await import('../dist/cli/main.js'));

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
lint?.saveCache();
