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
