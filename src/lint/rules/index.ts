// Registry of lint rules, sorted by id.
import type { Rule } from '../rule.js';
import { chainUnknownKind } from './chain-unknown-kind.js';
import { kindOptions } from './kind-options.js';

/** Every lint rule, sorted by id. */
export const RULES: readonly Rule[] = [chainUnknownKind, kindOptions];
