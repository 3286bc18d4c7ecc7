// Registry of the kinds' run halves, sorted by id.
import type { RunKind } from '../step.js';
import type { IrStep } from '../types.js';
import { contentFilter } from './content-filter.js';
import { piiDetector } from './pii-detector.js';
import { promptInjection } from './prompt-injection.js';

/** A run half of any kind. */
export type AnyRunKind = { [K in IrStep['kind']]: RunKind<Extract<IrStep, { kind: K }>> }[IrStep['kind']];

/** Every run half the runtime can execute, sorted by id. */
export const RUN_KINDS: readonly AnyRunKind[] = [contentFilter, piiDetector, promptInjection];

const BY_ID = new Map<string, AnyRunKind>(RUN_KINDS.map((k) => [k.id, k]));

/** The run half for `kind`, or undefined; its `step` takes steps of that kind. */
export function runKind(kind: string): RunKind | undefined {
  // Each run half is registered under its own kind, so it only ever receives its own steps.
  return BY_ID.get(kind) as RunKind | undefined;
}
