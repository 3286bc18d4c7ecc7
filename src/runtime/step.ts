// The contract between the evaluator and each kind's run half.
import type { NonTextPart, TextSlot } from './text-slots.js';
import type { EvalEnv, IrRegex, IrStep, Redaction } from './types.js';

/** Per-request marker table: the same value keeps the same marker within a request. */
export interface MarkerTable {
  byValue: Map<string, string>;
  counters: Map<string, number>;
}

/** Creates an empty marker table. */
export function createMarkerTable(): MarkerTable {
  return { byValue: new Map(), counters: new Map() };
}

/** What a step sees: the current text of every slot, and shared per-request state. */
export interface StepView {
  phase: 'request' | 'response';
  /** Current texts (earlier transforms already applied). */
  slots: readonly TextSlot[];
  /** Request phase: message content parts that are not text (path and type only), found while collecting the slots; empty otherwise. */
  nonTextParts: readonly NonTextPart[];
  markers: MarkerTable;
  env: EvalEnv;
}

/** A step's answer. */
export type StepOutcome =
  | { type: 'continue'; score?: number }
  | { type: 'warn'; code: string; message: string; score?: number }
  | { type: 'block'; code: string; message: string; score?: number }
  | {
      type: 'transform';
      code: string;
      message: string;
      /** New text per slot index. */
      edits: Map<number, string>;
      redactions: Redaction[];
    };

/** The run half of a policy kind; `S` is the kind's IR step. */
export interface RunKind<S extends IrStep = IrStep> {
  id: S['kind'];
  step(node: S, view: StepView): StepOutcome;
}

/** Compiles an IR regex for scanning (adds `g`; the IR's flags carry only the pattern's meaning). */
export function scanRegex(r: IrRegex): RegExp {
  return new RegExp(r.source, r.flags.includes('g') ? r.flags : `${r.flags}g`);
}
