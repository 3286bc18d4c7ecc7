// Run half of pii-detector: finds entities in every text slot and redacts them with markers, or blocks; optionally blocks requests with parts it cannot read.
import { findPii, type PiiSpan } from '../detectors/pii.js';
import { scanRegex, type MarkerTable, type RunKind, type StepOutcome } from '../step.js';
import type { NonTextPart } from '../text-slots.js';
import { DETECTOR_CACHE_LIMITS, TextCache } from '../text-cache.js';
import type { PiiDetectorOptions, PiiDetectorStep, PiiMarkers, Redaction } from '../types.js';

/** Marker settings as lowered into the IR. */
export type PiiMarkerOptions = PiiMarkers;

interface CompiledCustom {
  entity: string;
  regex: RegExp;
}

// IR options are plain JSON: compile custom patterns once per IR node, not once per request.
const compiled = new WeakMap<object, CompiledCustom[]>();

function customPatterns(options: PiiDetectorOptions): CompiledCustom[] {
  let list = compiled.get(options);
  if (!list) {
    // The build checked every pattern; one that does not compile here is a broken IR, never silently skipped.
    list = options.customPatterns.map((p) => ({ entity: p.entity, regex: scanRegex(p) }));
    compiled.set(options, list);
  }
  return list;
}

/** Spans found per text, per policy options: the history a chat resends every turn is scanned once (see TextCache). */
const spanCache = new WeakMap<PiiDetectorOptions, TextCache<readonly PiiSpan[]>>();

function spansOf(text: string, options: PiiDetectorOptions, custom: CompiledCustom[]): readonly PiiSpan[] {
  let cache = spanCache.get(options);
  if (!cache) spanCache.set(options, (cache = new TextCache(DETECTOR_CACHE_LIMITS)));
  return cache.get(text, (t) => findPii(t, options.entities, custom));
}

/** pii-detector step. */
export const piiDetector: RunKind<PiiDetectorStep> = {
  id: 'pii-detector',
  step(node, view) {
    const o = node.options;
    // Whatever the action: an image or a file cannot be redacted, and its content is never quoted.
    if (o.nonTextParts === 'block' && view.nonTextParts.length > 0) return unreadableBlock(view.nonTextParts);
    if (view.phase === 'response' && !o.scanResponses) return { type: 'continue' };
    const markerOptions = o.markers;
    const custom = customPatterns(o);
    const edits = new Map<number, string>();
    const redactions: Redaction[] = [];
    const counts = new Map<string, number>();
    view.slots.forEach((slot, i) => {
      // Responses (and the stream scanner's windows) are new text: caching them would only evict the history.
      const spans = view.phase === 'request' ? spansOf(slot.text, o, custom) : findPii(slot.text, o.entities, custom);
      if (spans.length === 0) return;
      let out = '';
      let last = 0;
      for (const s of spans) {
        const value = slot.text.slice(s.start, s.end);
        const marker = markerFor(view.markers, markerOptions, s.entity, value);
        out += slot.text.slice(last, s.start) + marker;
        last = s.end;
        redactions.push({ entity: s.entity, policy: node.policy, path: slot.path, start: s.start, end: s.end, marker });
        counts.set(s.entity, (counts.get(s.entity) ?? 0) + 1);
      }
      edits.set(i, out + slot.text.slice(last));
    });
    if (redactions.length === 0) return { type: 'continue' };
    const summary = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([e, n]) => `${n} ${e}`).join(', ');
    const where = [...new Set(redactions.map((r) => r.path))].slice(0, 5).join(', ');
    if (node.action === 'block') {
      const side = view.phase === 'request' ? 'Request' : 'Response';
      return { type: 'block', code: 'pii.detected', message: `${side} blocked: personal data detected (${summary} in ${where})` };
    }
    return { type: 'transform', code: 'pii.redacted', message: `Redacted ${summary} in ${where}`, edits, redactions };
  },
};

/** The block for a request holding parts the chain cannot read: their types and paths (at most 5), never their content. */
function unreadableBlock(parts: readonly NonTextPart[]): StepOutcome {
  const types = [...new Set(parts.map((p) => p.type))];
  const named = types.length === 1 ? types[0] : `${types.slice(0, -1).join(', ')} and ${types[types.length - 1]}`;
  const where = parts.slice(0, 5).map((p) => p.path).join(', ') + (parts.length > 5 ? `, and ${parts.length - 5} more` : '');
  return { type: 'block', code: 'pii.unreadable_part', message: `Request blocked: pii-detector cannot read ${named} parts (${where})` };
}

/**
 * The marker for `value`. Label markers are numbered per entity and stable within a request (the
 * same value gets the same marker, so the model can still tell values apart and refer to them).
 */
export function markerFor(table: MarkerTable, options: PiiMarkerOptions, entity: string, value: string): string {
  const key = `${entity}\u0000${value}`;
  let label = table.byValue.get(key);
  if (!label) {
    const n = (table.counters.get(entity) ?? 0) + 1;
    table.counters.set(entity, n);
    label = `[${entity}_${n}]`;
    table.byValue.set(key, label);
  }
  const custom = options.customMarkers[entity];
  let marker: string;
  if (custom !== undefined) marker = custom.replace(/\{n\}/g, label.slice(entity.length + 2, -1));
  else if (options.format === 'asterisks') marker = '*'.repeat(options.preserveLength ? value.length : 8);
  else if (options.format === 'partial') {
    const keep = value.length > 8 ? 4 : 0;
    marker = '*'.repeat(options.preserveLength ? value.length - keep : 4) + value.slice(value.length - keep);
  } else marker = label;
  if (options.preserveLength && marker.length !== value.length) {
    marker = marker.length > value.length ? marker.slice(0, value.length) : marker + '*'.repeat(value.length - marker.length);
  }
  return marker;
}
