// Registry of policy kinds, sorted by id. Explicit array: no import side effects.
import { auditLoggerKind } from './audit-logger/index.js';
import { contentFilterKind } from './content-filter/index.js';
import { costAttributionKind } from './cost-attribution/index.js';
import { piiDetectorKind } from './pii-detector/index.js';
import { promptInjectionKind } from './prompt-injection/index.js';
import type { KindDefinition } from './types.js';

/** Every kind ktpack can compile and run, sorted by id. */
export const KINDS: readonly KindDefinition[] = [auditLoggerKind, contentFilterKind, costAttributionKind, piiDetectorKind, promptInjectionKind];

const BY_ID = new Map(KINDS.map((k) => [k.id, k]));

/** The kind with `id`, or undefined. */
export function getKind(id: string): KindDefinition | undefined {
  return BY_ID.get(id);
}

export type { KindDefinition } from './types.js';
