// Bundles src/runtime into the self-contained template that `ktpack build` prepends the IR to.
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';

const outDir = new URL('../dist/runtime-bundle/', import.meta.url);
await mkdir(outDir, { recursive: true });
const result = await build({
  entryPoints: [new URL('../src/runtime/bundle-entry.ts', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  write: false,
  legalComments: 'none',
  minifySyntax: true,
});
const code = result.outputFiles[0].text;
if (/\bimport\s*[({'"]|\brequire\(|\beval\(|new Function\(/.test(code)) {
  throw new Error('runtime bundle must not import, require or eval anything');
}
await writeFile(new URL('runtime.template.mjs', outDir), code);

// types.d.ts for emitted bundles: the runtime's data types plus the module's exports.
const types = await readFile(new URL('../dist/runtime/types.d.ts', import.meta.url), 'utf8');
const exportsDecl = `
/** Per-request state shared between evaluateRequest and evaluateResponse (marker numbering). */
export interface EvaluateEnv extends EvalEnv {
  markers?: { byValue: Map<string, string>; counters: Map<string, number> };
}
/** The IR embedded in this module. */
export declare const ir: PolicyIr;
/** Runs the pack's request chain on an OpenAI-shaped chat completion request. */
export declare function evaluateRequest(request: ChatRequest, env?: EvaluateEnv): Decision;
/** Runs the pack's response chain on an OpenAI-shaped chat completion response. */
export declare function evaluateResponse(response: ChatResponse, env?: EvaluateEnv): Decision;
/** What a stream scanner lets through after a push or at the end of a field. */
export interface StreamScanResult {
  /** Text safe to send now (already rewritten); empty while text is held back. */
  text: string;
  /** Set when a policy blocks the output; nothing more may be sent. */
  blocked?: Reason;
  /** Redactions applied to \`text\` (offsets into the field's whole original text). */
  redactions: Redaction[];
}
/** Scans one streamed response; fields are keyed, e.g. \`choices[0].content\`. */
export interface StreamScanner {
  push(field: string, delta: string): StreamScanResult;
  end(field: string): StreamScanResult;
}
/** Polices a streamed response with a bounded hold-back window (default 256 characters per field). */
export declare function createStreamScanner(env?: EvaluateEnv, options?: { holdBack?: number }): StreamScanner;
`;
// runtime.mjs does not export IR_VERSION: declare only what the module has (irVersion is the literal 1).
const dataTypes = types
  .replace(/\/\/# sourceMappingURL=.*\n?/, '')
  .replace(/(?:\/\*\*[^\n]*\*\/\n)?export declare const IR_VERSION: 1;\n/, '')
  .replace(/typeof IR_VERSION/g, '1');
if (/IR_VERSION/.test(dataTypes)) throw new Error('runtime types still mention IR_VERSION, which runtime.mjs does not export');
await writeFile(new URL('runtime.d.ts', outDir), `// Types of a ktpack runtime.mjs bundle.\n${dataTypes}${exportsDecl}`);
console.error(`runtime bundle: ${code.length} bytes (${Buffer.byteLength(code)} bytes UTF-8)`);

// The `ktpack build` entry (src/cli/build-main.ts) as one file, dist/build-cli.mjs, for a fast cold start
// (like scripts/build-lint-cli.mjs, as an ES module).
await build({
  entryPoints: [new URL('../src/cli/build-main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/build-cli.mjs', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  external: ['ajv', 'ajv-formats', 'safe-regex2', 'tinyglobby'],
  banner: { js: "// ktpack build entry, bundled by scripts/build-runtime.mjs.\nimport { createRequire as __ktpackRequire } from 'node:module'; const require = __ktpackRequire(import.meta.url);" },
});
