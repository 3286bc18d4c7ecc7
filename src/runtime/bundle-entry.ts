// Entry of the emitted runtime.mjs: binds the evaluator to the IR that `ktpack build` prepends.
import { evaluate, type EvaluateEnv } from './evaluate.js';
import { createStreamScanner as createScanner, type StreamScanner, type StreamScannerOptions } from './stream-scanner.js';
import type { ChatRequest, ChatResponse, Decision, PolicyIr } from './types.js';

// `ktpack build` defines this constant above the bundled code.
declare const __KTPACK_IR__: PolicyIr;

/** The embedded IR. */
export const ir: PolicyIr = __KTPACK_IR__;

/** Runs the pack's request chain on an OpenAI-shaped chat completion request. */
export function evaluateRequest(request: ChatRequest, env?: EvaluateEnv): Decision {
  return evaluate(ir, { phase: 'request', request }, env);
}

/** Runs the pack's response chain on an OpenAI-shaped chat completion response. */
export function evaluateResponse(response: ChatResponse, env?: EvaluateEnv): Decision {
  return evaluate(ir, { phase: 'response', response }, env);
}

/** Creates a scanner that polices a streamed response under the embedded pack. */
export function createStreamScanner(env?: EvaluateEnv, options?: StreamScannerOptions): StreamScanner {
  return createScanner(ir, env, options);
}
