// Samples a process's resident set size and CPU time from /proc (Linux): peak RSS over a window, a time series for
// the soak, and CPU seconds (all threads) to turn into CPU per request, which machine contention barely moves.
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

/** User + system CPU seconds `pid` has used so far (all its threads), or NaN. */
export function cpuSeconds(pid) {
  try {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks, USER_HZ 100).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Samples `pid` every `everyMs` until stop(); stop() returns {peak, cpu, samples: [[seconds, MiB]]}. */
export function sampleRss(pid, everyMs = 200) {
  const started = Date.now();
  const cpu0 = cpuSeconds(pid);
  const samples = [];
  const take = () => samples.push([(Date.now() - started) / 1000, rssMiB(pid)]);
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const values = samples.map((s) => s[1]).filter((v) => Number.isFinite(v));
      return { peak: values.length ? Math.max(...values) : NaN, cpu: cpuSeconds(pid) - cpu0, samples };
    },
  };
}
