// Starts the benchmark's processes (upstream, proxies, gateways, load driver) on loopback, pinned with taskset when
// available, and stops them by their own pid.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));
const HAS_TASKSET = process.platform === 'linux' && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** Whether processes are pinned to CPUs (taskset found and more than one CPU). */
export function canPin(cpus) {
  return HAS_TASKSET && cpus > 1;
}

function command(cpu, args) {
  return cpu !== undefined && HAS_TASKSET ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args];
}

/**
 * Spawns a node process and resolves once it prints its URL: a JSON line `{"url"}` on stdout, or for ktpack
 * serve its `listening on URL` line on stderr. Rejects with its output if it exits first or takes over 20 s.
 */
export function startService(name, args, { cpu, env, cwd = ROOT } = {}) {
  const [cmd, argv] = command(cpu, args);
  const proc = spawn(cmd, argv, { cwd, env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within 20 s`)), 20_000);
    const fail = (e) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`${e.message}\n${err.slice(-2000)}`));
    };
    const check = () => {
      const m = /\{"url":"(http:\/\/[^"]+)"\}/.exec(out) ?? /KTPACK_BENCH_LISTENING \{"url":"(http:\/\/[^"]+)"\}/.exec(err) ?? /listening on (http:\/\/\S+)/.exec(err);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        name,
        url: m[1],
        pid: proc.pid,
        proc,
        stderr: () => err,
        stop: () =>
          new Promise((done) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return done(proc.exitCode);
            const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
            proc.once('exit', (code) => {
              clearTimeout(force);
              done(code);
            });
            proc.kill('SIGTERM');
          }),
      });
    };
    proc.stdout.on('data', (c) => {
      if (out.length < 100_000) out += c;
      check();
    });
    proc.stderr.on('data', (c) => {
      err = (err + c).slice(-20_000);
      check();
    });
    proc.once('exit', (code) => fail(new Error(`${name} exited early (${code})`)));
  });
}

/** Runs one load job in its own process (pinned to `cpu`) and resolves with its JSON result. */
export function runLoad(job, { cpu } = {}) {
  const [cmd, argv] = command(cpu, [`${HERE}load-driver.mjs`, JSON.stringify(job)]);
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    let out = '';
    let err = '';
    // Hard bound: the driver stops by itself; this only catches a hung driver.
    const limit = setTimeout(() => proc.kill('SIGKILL'), ((job.maxSeconds ?? job.seconds ?? 10) + 30) * 1000);
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (err += c));
    proc.once('exit', (code) => {
      clearTimeout(limit);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`load driver failed (${code}): ${err.slice(-1500)}`));
      }
    });
  });
}
