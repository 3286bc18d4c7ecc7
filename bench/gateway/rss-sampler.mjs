// Samples a process's resident set size from /proc (Linux); peak over a window and a time series for the soak.
import { readFileSync } from 'node:fs';

/** Current RSS of `pid` in MiB, or NaN where /proc is unavailable. */
export function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Samples `pid` every `everyMs` until stop(); stop() returns {peak, samples: [[seconds, MiB]]}. */
export function sampleRss(pid, everyMs = 200) {
  const started = Date.now();
  const samples = [];
  const take = () => samples.push([(Date.now() - started) / 1000, rssMiB(pid)]);
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const values = samples.map((s) => s[1]).filter((v) => Number.isFinite(v));
      return { peak: values.length ? Math.max(...values) : NaN, samples };
    },
  };
}
