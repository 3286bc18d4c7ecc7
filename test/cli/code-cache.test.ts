// The V8 code cache of the bundled lint entry: used when valid, never when the source changed, harmless when unwritable.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeCacheDir, requireCached } from '../../src/cli/code-cache.js';

function moduleFile(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe('code cache', () => {
  it('leaves a marker on the first run, writes the cache on the second, compiles from it on the third', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-cc-'));
    const cache = join(dir, 'cache');
    const file = moduleFile(dir, 'entry.cjs', 'exports.answer = () => 40 + 2; exports.dir = __dirname; exports.req = typeof require("node:path").join;');
    const first = requireCached(file, cache);
    expect((first.exports.answer as () => number)()).toBe(42);
    expect(first.fromCache).toBe(false);
    expect(first.exports.dir).toBe(dir);
    expect(first.exports.req).toBe('function');
    first.saveCache();
    // A one-off run (CI after npm ci) does not pay for writing a cache.
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^entry\.cjs\.[0-9a-f]{16}\.v8\.seen$/)]);
    const second = requireCached(file, cache);
    expect(second.fromCache).toBe(false);
    second.saveCache();
    expect(readdirSync(cache).sort()).toEqual([expect.stringMatching(/^entry\.cjs\.[0-9a-f]{16}\.v8$/), expect.stringMatching(/\.v8\.seen$/)]);
    // The next load of the same source, as the next process would do, finds and accepts it.
    const third = requireCached(file, cache);
    expect((third.exports.answer as () => number)()).toBe(42);
    expect(third.fromCache).toBe(true);
    third.saveCache();
    expect(readdirSync(cache)).toHaveLength(2);
  });

  it('a changed source of the same length never runs from the old cache, and replaces it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-cc-'));
    const cache = join(dir, 'cache');
    const file = moduleFile(dir, 'entry.cjs', 'exports.value = "aaaa";');
    requireCached(file, cache).saveCache();
    requireCached(file, cache).saveCache();
    const before = readdirSync(cache).find((f) => f.endsWith('.v8'));
    expect(before).toBeDefined();
    moduleFile(dir, 'entry.cjs', 'exports.value = "bbbb";');
    const b = requireCached(file, cache);
    expect(b.exports.value).toBe('bbbb');
    expect(b.fromCache).toBe(false);
    b.saveCache();
    // The stale cache is gone; the new source starts over with a marker.
    const after = readdirSync(cache);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(/\.v8\.seen$/);
    expect(after[0]).not.toBe(`${before}.seen`);
  });

  it('registers the module so a later require() of the file returns the same exports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-cc-'));
    const file = moduleFile(dir, 'shared.cjs', 'exports.token = {};');
    const loaded = requireCached(file, join(dir, 'cache'));
    const { createRequire } = await import('node:module');
    expect(createRequire(join(dir, 'x.cjs'))('./shared.cjs')).toBe(loaded.exports);
  });

  it('an unwritable cache directory only means no cache', () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits; a file where the directory should be fails for everyone.
      const dir = mkdtempSync(join(tmpdir(), 'ktpack-cc-'));
      writeFileSync(join(dir, 'cache'), 'not a directory');
      const m = requireCached(moduleFile(dir, 'e.cjs', 'exports.ok = true;'), join(dir, 'cache', 'ktpack'));
      expect(m.exports.ok).toBe(true);
      expect(() => m.saveCache()).not.toThrow();
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'ktpack-cc-'));
    mkdirSync(join(dir, 'cache'));
    chmodSync(join(dir, 'cache'), 0o500);
    const m = requireCached(moduleFile(dir, 'e.cjs', 'exports.ok = true;'), join(dir, 'cache'));
    expect(() => m.saveCache()).not.toThrow();
    expect(() => m.saveCache()).not.toThrow();
    expect(readdirSync(join(dir, 'cache'))).toEqual([]);
  });

  it('lives in node_modules/.cache/ktpack of the project ktpack is installed in, or of its own checkout', () => {
    expect(codeCacheDir('/proj/node_modules/ktpack')).toBe('/proj/node_modules/.cache/ktpack');
    expect(codeCacheDir('/proj/node_modules/@scope/node_modules/ktpack')).toBe('/proj/node_modules/@scope/node_modules/.cache/ktpack');
    expect(codeCacheDir('/src/ktpack')).toBe('/src/ktpack/node_modules/.cache/ktpack');
  });
});
