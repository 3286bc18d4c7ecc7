// Loads ktpack's bundled CommonJS entries through a V8 code cache, so a cold `ktpack lint` skips most compilation.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** A CommonJS file compiled with a code cache: its exports, and a way to store the cache after use. */
export interface CachedModule {
  exports: Record<string, unknown>;
  /** True when V8 compiled the file from a stored cache. */
  fromCache: boolean;
  /**
   * Writes the code cache when there was none (or V8 rejected it), from the second run of this source
   * on: the first run only leaves a marker, so a one-off run (CI after `npm ci`, which starts from an
   * empty node_modules) does not pay for writing a cache nobody will read. Call it after the code has
   * run: the cache then also holds the functions compiled lazily during the run. Never throws.
   */
  saveCache(): void;
}

/**
 * Where code caches live: `node_modules/.cache/ktpack` of the project ktpack is installed in (or of
 * ktpack's own checkout), like other tools' caches; never a shared temporary directory, where
 * another user could plant compiled code.
 */
export function codeCacheDir(packageRoot: string): string {
  const parts = packageRoot.split(sep);
  const at = parts.lastIndexOf('node_modules');
  const nodeModules = at >= 0 ? parts.slice(0, at + 1).join(sep) : join(packageRoot, 'node_modules');
  return join(nodeModules, '.cache', 'ktpack');
}

/**
 * Requires the CommonJS file `file` (absolute path), compiling it with the V8 code cache stored in
 * `cacheDir` when one exists for exactly this source, Node version and architecture. The module is
 * registered in the require cache, so a later `require()` of the same file returns it.
 */
export function requireCached(file: string, cacheDir: string): CachedModule {
  const source = readFileSync(file, 'utf8');
  // V8 checks a cache against the source's length only: the name carries a hash of the source itself.
  const key = createHash('sha256').update(`${process.version}\0${process.arch}\0`).update(source).digest('hex').slice(0, 16);
  const name = basename(file);
  const cacheFile = join(cacheDir, `${name}.${key}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapper, { filename: file, cachedData });
  const mod = new Module(file);
  mod.filename = file;
  const require = createRequire(file);
  (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, require, mod, file, dirname(file));
  mod.loaded = true;
  require.cache[file] = mod;
  return {
    exports: mod.exports as Record<string, unknown>,
    fromCache: cachedData !== undefined && !script.cachedDataRejected,
    saveCache() {
      if (cachedData !== undefined && !script.cachedDataRejected) return;
      try {
        const marker = `${cacheFile}.seen`;
        if (!existsSync(marker)) {
          mkdirSync(cacheDir, { recursive: true });
          // Caches and markers of older sources or Node versions are useless now.
          for (const old of readdirSync(cacheDir)) if (old.startsWith(`${name}.`)) rmSync(join(cacheDir, old), { force: true });
          writeFileSync(marker, '');
          return;
        }
        // Written whole, then renamed: a concurrent run never reads half a cache.
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // A read-only installation simply runs without a cache.
      }
    },
  };
}

/** The `ktpack lint` entry (dist/lint-cli.cjs) with its precompiled validators, both through the code cache. */
export function loadLintEntry(): { main: (argv: string[], io: unknown) => Promise<number>; saveCache(): void } {
  const dist = fileURLToPath(new URL('../', import.meta.url));
  const cacheDir = codeCacheDir(dirname(dist.replace(/[\\/]$/, '')));
  // Loaded first and registered in the require cache, where the lint entry's require() finds it.
  const validators = requireCached(join(dist, 'generated', 'pack-validators.cjs'), cacheDir);
  const entry = requireCached(join(dist, 'lint-cli.cjs'), cacheDir);
  return {
    main: entry.exports.main as (argv: string[], io: unknown) => Promise<number>,
    saveCache() {
      validators.saveCache();
      entry.saveCache();
    },
  };
}
