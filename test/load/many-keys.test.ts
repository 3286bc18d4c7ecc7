// A pack with thousands of unknown keys lints in time linear in its size: locating each diagnostic does not rescan its mapping.
import { describe, expect, it, vi } from 'vitest';

// Counts the node checks the loader makes (a stand-in for time that a busy machine cannot move).
const counter = vi.hoisted(() => ({ isPair: 0 }));
vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof import('yaml')>();
  return {
    ...yaml,
    isPair: (node: unknown) => {
      counter.isPair++;
      return yaml.isPair(node);
    },
  };
});

const { lintText } = await import('../../src/lint/lint.js');

describe('diagnostic positions in a large mapping', () => {
  it('each of N unknown keys is located without scanning the other N keys again', () => {
    const n = 3000;
    const lines = ['pack: {name: x, version: 1.0.0, enabled: true}', 'policies: {chain: [audit-logger]}', 'policy:', '  audit-logger:'];
    for (let i = 0; i < n; i++) lines.push(`    k${i}: v${i}`);
    counter.isPair = 0;
    const { diagnostics } = lintText('many.yaml', `${lines.join('\n')}\n`);
    const unknown = diagnostics.filter((d) => d.code === 'schema/unknown-key');
    expect(unknown).toHaveLength(n);
    // The last key is still placed on its own line.
    expect(unknown.map((d) => d.range.start.line).at(-1)).toBe(4 + n);
    // A scan per diagnostic would be about n * n / 2 = 4.5 million checks.
    expect(counter.isPair).toBeLessThan(50 * n);
  });
});
