// Loads a pack from disk (YAML file, pack folder or built bundle) into an IR, with diagnostics on failure.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { canonicalJson } from './emit/canonical-json.js';
import type { BundleManifest } from './emit/emit-bundle.js';
import type { PackDocument } from './load/document.js';
import type { PolicyIr } from './runtime/types.js';

/** Result of loading a pack or bundle. */
export interface LoadedPack {
  ir?: PolicyIr;
  diagnostics: Diagnostic[];
  /** `sha256:<hex>` of the canonical IR (for a bundle, of its policy.ir.json, checked against the manifest). */
  irHash?: string;
  /** What was loaded: the YAML file or the bundle folder. */
  origin: string;
  /** The parsed pack when loaded from YAML (for positions and inline `testing` suites). */
  document?: PackDocument;
}

/** A user-facing I/O problem (missing file, unreadable bundle); the CLI maps it to exit code 2. */
export class UserIoError extends Error {}

/** Resolves a pack argument: a YAML file, a folder with policy-config.yaml, or a bundle folder. */
export async function loadPack(path: string): Promise<LoadedPack> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UserIoError(`${path}: no such file or directory`);
  if (info.isDirectory()) {
    const manifestPath = join(path, 'manifest.json');
    if (await stat(manifestPath).catch(() => undefined)) return loadBundle(path);
    return loadPackFile(await packFileIn(path));
  }
  return loadPackFile(path);
}

/** The pack file of a pack folder: policy-config.yaml, else policy-config.yml (as `ktpack lint` finds them). */
export async function packFileIn(dir: string): Promise<string> {
  for (const name of ['policy-config.yaml', 'policy-config.yml']) {
    if (await stat(join(dir, name)).catch(() => undefined)) return join(dir, name);
  }
  throw new UserIoError(`${dir}: no policy-config.yaml (or .yml) in this folder`);
}

/** Lints and compiles a YAML pack file. */
export async function loadPackFile(file: string): Promise<LoadedPack> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UserIoError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a folder, not a pack file' : `cannot be read (${e.code ?? e.message})`}`);
  });
  // Loaded on demand: serving or diffing a built bundle needs neither the linter (yaml, schemas) nor the compiler.
  const [{ lintText }, { compile }] = await Promise.all([import('./lint/lint.js'), import('./compile/compile.js')]);
  const { document, diagnostics } = lintText(file, text);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, origin: file, document };
  const result = compile(document, basename(file));
  // The same hash `ktpack build` would write to manifest.json, so records and /health name what runs either way.
  const irHash = result.ir ? `sha256:${createHash('sha256').update(canonicalJson(result.ir)).digest('hex')}` : undefined;
  return { ir: result.ir, diagnostics: [...diagnostics, ...result.diagnostics], origin: file, document, ...(irHash ? { irHash } : {}) };
}

/** Loads a built bundle, refusing one whose IR does not match the manifest's hash. */
export async function loadBundle(dir: string): Promise<LoadedPack> {
  const read = (name: string) =>
    readFile(join(dir, name), 'utf8').catch(() => {
      throw new UserIoError(`${dir}: not a ktpack bundle (missing ${name})`);
    });
  const manifest = parseJson(await read('manifest.json'), `${dir}/manifest.json`) as BundleManifest;
  if (typeof manifest?.irHash !== 'string') throw new UserIoError(`${dir}/manifest.json: no irHash; rebuild the bundle with ktpack build`);
  const irText = await read('policy.ir.json');
  const hash = `sha256:${createHash('sha256').update(irText).digest('hex')}`;
  if (hash !== manifest.irHash) {
    throw new UserIoError(`${dir}: policy.ir.json does not match manifest.json (hash ${hash}, manifest says ${manifest.irHash}); refusing a modified bundle`);
  }
  for (const [name, expected] of Object.entries(manifest.fileHashes ?? {})) {
    if (name === 'policy.ir.json' || name.includes('/') || name.includes('\\')) continue;
    const actual = `sha256:${createHash('sha256').update(await read(name)).digest('hex')}`;
    if (actual !== expected) throw new UserIoError(`${dir}: ${name} does not match manifest.json (hash ${actual}, manifest says ${expected}); refusing a modified bundle`);
  }
  const ir = parseJson(irText, `${dir}/policy.ir.json`) as PolicyIr;
  if (ir?.irVersion !== 1) throw new UserIoError(`${dir}: unsupported IR version ${String(ir?.irVersion)}; rebuild the bundle with this ktpack (ktpack build)`);
  // Loaded on demand: only bundles need the IR schema validator.
  const { irProblems } = await import('./emit/verify-ir.js');
  const problems = irProblems(ir);
  if (problems.length > 0) {
    throw new UserIoError(`${dir}/policy.ir.json is not an IR this ktpack can run (${problems.join('; ')}); rebuild the bundle with this ktpack (ktpack build)`);
  }
  return { ir, diagnostics: [], irHash: hash, origin: dir };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UserIoError(`${file}: not valid JSON; rebuild the bundle with ktpack build`);
  }
}
