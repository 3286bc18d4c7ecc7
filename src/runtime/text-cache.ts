// A bounded least-recently-used cache of per-text detector results (chat clients resend the system prompt and history every turn).

/** Limits of a {@link TextCache}. */
export interface TextCacheLimits {
  /** Texts shorter than this are not cached (scanning them costs about as much as the lookup). */
  minLength: number;
  /** Texts longer than this are not cached (one would hold too much memory). */
  maxLength: number;
  /** At most this many texts are kept. */
  maxEntries: number;
  /** At most this many characters of text are kept, over all entries. */
  maxChars: number;
}

/**
 * Limits of the detectors' caches, per policy: texts of 32 characters to 64 Ki characters, at most
 * 1,024 of them and 2 Mi characters (about 4 MB) in all.
 */
export const DETECTOR_CACHE_LIMITS: TextCacheLimits = { minLength: 32, maxLength: 64 * 1024, maxEntries: 1024, maxChars: 2 * 1024 * 1024 };

/**
 * Caches `compute(text)` by the exact text: results are deterministic functions of the text, so a
 * hit returns exactly what a fresh scan would. Bounded by entries and by total characters, so a
 * stream of large distinct texts cannot grow memory; the least recently used text goes first.
 */
export class TextCache<V> {
  private readonly map = new Map<string, V>();
  private chars = 0;

  constructor(private readonly limits: TextCacheLimits) {}

  /** The cached result for `text`, computing (and keeping, within the limits) it on a miss. */
  get(text: string, compute: (text: string) => V): V {
    const { minLength, maxLength, maxEntries, maxChars } = this.limits;
    if (text.length < minLength || text.length > maxLength) return compute(text);
    const hit = this.map.get(text);
    if (hit !== undefined) {
      // Map iteration follows insertion order: re-inserting marks the text most recently used.
      this.map.delete(text);
      this.map.set(text, hit);
      return hit;
    }
    const value = compute(text);
    while (this.map.size > 0 && (this.map.size >= maxEntries || this.chars + text.length > maxChars)) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.chars -= oldest.length;
    }
    this.map.set(text, value);
    this.chars += text.length;
    return value;
  }

  /** Entries and characters held (for tests and diagnostics). */
  get size(): { entries: number; chars: number } {
    return { entries: this.map.size, chars: this.chars };
  }
}
