// Public surface of the runtime; imports nothing outside src/runtime so it can be bundled alone.
export { evaluate, type EvalInput, type EvaluateEnv } from './evaluate.js';
export { createMarkerTable, type MarkerTable } from './step.js';
export { findPii, BUILTIN_ENTITIES, type PiiSpan } from './detectors/pii.js';
export { scoreInjection, type InjectionScore } from './detectors/injection.js';
export { RUN_KINDS } from './kinds/index.js';
export * from './types.js';
export { createStreamScanner, type StreamScanner, type StreamScanResult, type StreamScannerOptions } from './stream-scanner.js';
