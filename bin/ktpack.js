#!/usr/bin/env node
// Entry point: runs the compiled CLI and turns its result into the process exit code.
// `ktpack lint` uses the bundled lint entry (dist/lint-cli.mjs) for a fast cold start in CI.
const lint = process.argv[2] === 'lint';
const { main } = lint ? await import('../dist/lint-cli.mjs').catch(() => import('../dist/cli/main.js')) : await import('../dist/cli/main.js');

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
