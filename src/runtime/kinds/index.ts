// Registry of the kinds' run halves, sorted by id.
import type { RunKind } from '../step.js';
import { contentFilter } from './content-filter.js';
import { piiDetector } from './pii-detector.js';
import { promptInjection } from './prompt-injection.js';

/** Every run half the runtime can execute, sorted by id. */
export const RUN_KINDS: readonly RunKind[] = [contentFilter, piiDetector, promptInjection];

const BY_ID = new Map(RUN_KINDS.map((k) => [k.id, k]));

/** The run half for `kind`, or undefined. */
export function runKind(kind: string): RunKind | undefined {
  return BY_ID.get(kind);
}
