// Maps offsets in a rewritten text back to the original text, so redactions always point at the original.

/** One replacement: current text [cs, ce) stands for original text [os, oe). */
export interface Segment {
  cs: number;
  ce: number;
  os: number;
  oe: number;
}

/** A replacement in current coordinates: [start, end) became `length` characters. */
export interface Replacement {
  start: number;
  end: number;
  length: number;
}

/**
 * Original offset of a current-text offset. A `start` inside a replacement maps to the replaced
 * span's original start, an `end` inside one to its original end, so spans only ever widen.
 */
export function toOriginal(segments: readonly Segment[], p: number, side: 'start' | 'end'): number {
  let delta = 0;
  for (const s of segments) {
    if (side === 'start') {
      if (p < s.cs) break;
      if (p < s.ce) return s.os;
    } else {
      if (p <= s.cs) break;
      if (p <= s.ce) return s.oe;
    }
    delta = s.oe - s.ce;
  }
  return p + delta;
}

/** Composes `segments` with `replacements` (sorted, non-overlapping, in current coordinates). */
export function composeSegments(segments: readonly Segment[], replacements: readonly Replacement[]): Segment[] {
  const out: Segment[] = [];
  let shift = 0;
  let si = 0;
  for (const r of replacements) {
    // Old segments wholly before r keep their original span; only their current position shifts.
    while (si < segments.length && segments[si].ce <= r.start) {
      const s = segments[si++];
      out.push({ cs: s.cs + shift, ce: s.ce + shift, os: s.os, oe: s.oe });
    }
    // Old segments overlapping r are absorbed into it.
    while (si < segments.length && segments[si].cs < r.end) si++;
    const cs = r.start + shift;
    out.push({ cs, ce: cs + r.length, os: toOriginal(segments, r.start, 'start'), oe: toOriginal(segments, r.end, 'end') });
    shift += r.length - (r.end - r.start);
  }
  for (; si < segments.length; si++) {
    const s = segments[si];
    out.push({ cs: s.cs + shift, ce: s.ce + shift, os: s.os, oe: s.oe });
  }
  return out;
}
