// Maps string offsets to 1-based line:column ranges for rules that scan raw text.
import type { Range } from '../diagnostics.js';

/** Returns a function mapping offsets in `text` (end exclusive) to a 1-based {@link Range}. */
export function offsetRanger(text: string): (start: number, end: number) => Range {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const pos = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
  return (start, end) => ({ start: pos(start), end: pos(end) });
}
