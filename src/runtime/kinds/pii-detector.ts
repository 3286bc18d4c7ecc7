// Run half of pii-detector: finds entities in every text slot and redacts them or blocks.
import { findPii } from '../detectors/pii.js';
import type { RunKind } from '../step.js';
import type { Redaction } from '../types.js';

/** pii-detector step. */
export const piiDetector: RunKind = {
  id: 'pii-detector',
  step(node, view) {
    const entities = (node.options.entities as string[] | undefined) ?? [];
    const edits = new Map<number, string>();
    const redactions: Redaction[] = [];
    const counts = new Map<string, number>();
    view.slots.forEach((slot, i) => {
      const spans = findPii(slot.text, entities);
      if (spans.length === 0) return;
      let out = '';
      let last = 0;
      for (const s of spans) {
        const value = slot.text.slice(s.start, s.end);
        const marker = markerFor(view.markers, s.entity, value);
        out += slot.text.slice(last, s.start) + marker;
        last = s.end;
        redactions.push({ entity: s.entity, policy: node.policy, path: slot.path, start: s.start, end: s.end, marker });
        counts.set(s.entity, (counts.get(s.entity) ?? 0) + 1);
      }
      edits.set(i, out + slot.text.slice(last));
    });
    if (redactions.length === 0) return { type: 'continue' };
    const summary = [...counts].map(([e, n]) => `${n} ${e}`).join(', ');
    if (node.action === 'block') {
      return { type: 'block', code: 'pii.detected', message: `Request blocked: personal data detected (${summary})` };
    }
    return { type: 'transform', code: 'pii.redacted', message: `Redacted ${summary}`, edits, redactions };
  },
};

function markerFor(table: { byValue: Map<string, string>; counters: Map<string, number> }, entity: string, value: string): string {
  const key = `${entity}\u0000${value}`;
  const existing = table.byValue.get(key);
  if (existing) return existing;
  const n = (table.counters.get(entity) ?? 0) + 1;
  table.counters.set(entity, n);
  const marker = `[${entity}_${n}]`;
  table.byValue.set(key, marker);
  return marker;
}
