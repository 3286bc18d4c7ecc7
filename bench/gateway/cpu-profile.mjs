// Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time.

/** Top `n` functions by self time: [{name, where, percent}]; idle, GC and program nodes are named as V8 names them. */
export function topSelfTime(profile, n = 15) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/|dist\/|src\/)/, '$1') : '';
    const key = `${functionName || '(anonymous)'}\u0000${file ? `${file}:${lineNumber + 1}` : '(native)'}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, t]) => {
      const [name, where] = key.split('\u0000');
      return { name, where, percent: (100 * t) / total };
    });
}

/** Area a profile node belongs to, from its URL and name: where a gateway's CPU goes, coarsely. */
function areaOf(callFrame) {
  const { functionName: name, url } = callFrame;
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'garbage collector';
  if (name.startsWith('RegExp:')) return 'regular expressions (detectors)';
  if (url.includes('/dist/runtime/')) return 'ktpack runtime (policy evaluation)';
  if (url.includes('/dist/serve/')) return 'ktpack serve (proxy core, HTTP adapter, upstream, audit)';
  if (url.includes('/dist/')) return 'ktpack other (load, compile: startup)';
  if (url.includes('node_modules/undici')) return 'undici (upstream client)';
  if (url.includes('node_modules/')) return 'other dependencies';
  if (url.startsWith('node:')) return 'Node.js core (http, streams, events)';
  return 'native (syscalls, JSON, program)';
}

/** Self time summed by area: [{area, percent}], largest first. */
export function selfTimeByArea(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const areas = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) continue;
    total += dt;
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + dt);
  }
  return [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([area, t]) => ({ area, percent: (100 * t) / total }));
}
