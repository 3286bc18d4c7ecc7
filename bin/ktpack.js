#!/usr/bin/env node
// Entry point: runs the compiled CLI and turns its result into the process exit code.
// `ktpack lint` uses the bundled lint entry (dist/lint-cli.mjs) for a fast cold start in CI.
// `ktpack build` likewise uses dist/build-cli.mjs.
const fast = { lint: '../dist/lint-cli.mjs', build: '../dist/build-cli.mjs' }[process.argv[2]];
const { main } = fast ? await import(fast).catch(() => import('../dist/cli/main.js')) : await import('../dist/cli/main.js');

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
