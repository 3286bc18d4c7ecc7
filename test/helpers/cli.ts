// Test helpers: run the CLI in-process with captured output, or as a real child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/ktpack.js`;
export const SEED_PACK = `${ROOT}packs/chatgpt-enterprise-gateway/policy-config.yaml`;
export const MINI_PACK = `${ROOT}packs/chatgpt-enterprise-mini/policy-config.yaml`;

/** Runs `ktpack ...args` in-process and captures stdout, stderr and the exit code. */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(args, { stdout, stderr, env, cwd });
  return { code, stdout: out, stderr: err };
}

/** Starts `ktpack serve` as a child process and resolves with its URL once it listens. */
export async function spawnServe(args: string[], env: Record<string, string | undefined> = {}): Promise<{ url: string; proc: ChildProcess; stderr: () => string; stop: () => Promise<number | null> }> {
  const proc = spawn(process.execPath, [BIN, 'serve', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stderr!.on('data', (c) => {
      err += c;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`serve exited early with ${code}: ${err}`)));
  });
  return {
    url,
    proc,
    stderr: () => err,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        proc.on('exit', (code) => resolve(code));
        proc.kill('SIGTERM');
      }),
  };
}
