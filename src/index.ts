// The public library API of ktpack: small and curated.
export type { Diagnostic, Severity, Range, Position, JsonPath } from './diagnostics.js';
export { loadDocument, type PackDocument } from './load/document.js';
export { lintText, lintDocument, type LintResult, type LintOptions, type RuleSetting } from './lint/lint.js';
export { compile, type CompileResult } from './compile/compile.js';
export { renderBundle, emitBundle, type BundleManifest } from './emit/emit-bundle.js';
export { loadPack, loadPackFile, loadBundle, type LoadedPack } from './pack.js';
export { evaluate, type EvalInput, type EvaluateEnv } from './runtime/evaluate.js';
export type { PolicyIr, Decision, ChatRequest, ChatResponse, Reason, Redaction, PolicyResult } from './runtime/types.js';
export { KINDS } from './kinds/index.js';
export { RULES } from './lint/rules/index.js';
export { startGateway, type Gateway, type GatewayOptions } from './serve/gateway.js';
export { startMockUpstream, type MockUpstream } from './serve/mock-upstream.js';
export type * from './generated/policy-config.js';
export { getFormatter, FORMATTERS, type FileReport, type FormatOptions } from './formatters/index.js';
export { hasKnownPrice, priceOf, type ModelPrice } from './pricing/prices.js';
