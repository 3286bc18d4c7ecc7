// De-obfuscation: the text a model effectively reads (NFKC, no invisible characters, Latin look-alikes, no letter spacing, no leetspeak), with an offset map back to the original.

/** A normalised view of a text. `map[i]` is the original offset of `text[i]`; `map[text.length]` is the original length. */
export interface NormalizedText {
  text: string;
  map: Int32Array;
  /** ASCII text smuggled in Unicode tag characters (U+E0020–U+E007E), decoded; '' when none. */
  hidden: string;
}

/** What {@link normalize} does; each step can be switched off by policy options. */
export interface NormalizeOptions {
  unicode?: boolean;
  homoglyphs?: boolean;
  /** Replace invisible characters with a space instead of removing them. */
  invisibleAsSpace?: boolean;
  /** Build the offset map (default true); scorers that never map back skip the cost. */
  offsets?: boolean;
}

// Zero-width and other invisible format characters (soft hyphen, joiners, BOM, bidi marks, word joiner...).
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/;

/** Cyrillic and Greek letters that render like Latin ones. */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i', ј: 'j', һ: 'h', ԁ: 'd', ɡ: 'g', ո: 'n', ս: 'u',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y', І: 'I', Ј: 'J', Ѕ: 'S',
  α: 'a', ο: 'o', ρ: 'p', ν: 'v', ι: 'i', κ: 'k', τ: 't', υ: 'u', χ: 'x', ε: 'e', Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  ı: 'i', ł: 'l', ß: 'ss', ℓ: 'l',
};

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', $: 's', '!': 'i' };
const LATIN = /[A-Za-z]/;
const NON_LATIN = /[\u0400-\u04FF\u0370-\u03FF]/;

/**
 * Normalises `input` for matching. Linear in its length. Letters keep their case; callers match
 * case-insensitively.
 */
export function normalize(input: string, opts: NormalizeOptions = {}): NormalizedText {
  const unicode = opts.unicode !== false;
  const homoglyphs = opts.homoglyphs !== false;
  const withMap = opts.offsets !== false;
  // Fast path: plain ASCII has nothing to fold; only spacing and leetspeak apply.
  if (!/[^\x00-\x7f]/.test(input)) {
    const map = new Int32Array(withMap ? input.length + 1 : 0);
    for (let i = 0; i < map.length; i++) map[i] = i;
    if (!homoglyphs) return { text: input, map, hidden: '' };
    const spaced = collapseSpacing(input, map, true);
    return { text: deLeet(spaced.text), map: spaced.map, hidden: '' };
  }
  // Pieces are joined once at the end (reading back from a growing string flattens it on every
  // character); ASCII runs are copied whole, only non-ASCII code points take the slow path.
  const pieces: string[] = [];
  // The offset map grows in a typed array (a push per character cost more than the folding itself).
  let map = new Int32Array(withMap ? input.length + 16 : 0);
  let n = 0;
  const room = (extra: number): void => {
    if (n + extra <= map.length) return;
    const bigger = new Int32Array(Math.max(map.length * 2, n + extra + 16));
    bigger.set(map.subarray(0, n));
    map = bigger;
  };
  let hidden = '';
  let prev = '';
  const nonAscii = /[^\x00-\x7f]/g;
  let i = 0;
  while (i < input.length) {
    nonAscii.lastIndex = i;
    const found = nonAscii.exec(input);
    const stop = found ? found.index : input.length;
    if (stop > i) {
      pieces.push(input.slice(i, stop));
      if (withMap) {
        room(stop - i);
        for (let k = i; k < stop; k++) map[n++] = k;
      }
      prev = input[stop - 1];
      i = stop;
      if (!found) break;
    }
    const cp = input.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    let ch = input.slice(i, i + width);
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      if (cp >= 0xe0020 && cp <= 0xe007e) hidden += String.fromCharCode(cp - 0xe0000);
      i += width;
      continue;
    }
    if (unicode && INVISIBLE.test(ch)) {
      if (opts.invisibleAsSpace) {
        pieces.push(' ');
        prev = ' ';
        if (withMap) {
          room(1);
          map[n++] = i;
        }
      }
      i += width;
      continue;
    }
    if (unicode) ch = nfkc(ch);
    if (homoglyphs) {
      const next = input[i + width] ?? '';
      // Only inside Latin words, or alone among Latin words: a whole Cyrillic or Greek sentence keeps its own
      // letters, one-letter words included ("у тебя", "с этого").
      const g = HOMOGLYPHS[ch];
      if (g && (LATIN.test(prev) || LATIN.test(next) || (!NON_LATIN.test(next) && !NON_LATIN.test(prev) && HOMOGLYPHS[next] === undefined && !NON_LATIN.test(input[i - 2] ?? '') && !NON_LATIN.test(input[i + width + 1] ?? '')))) ch = g;
    }
    if (withMap) {
      room(ch.length);
      for (let k = 0; k < ch.length; k++) map[n++] = i;
    }
    pieces.push(ch);
    prev = ch[ch.length - 1] ?? prev;
    i += width;
  }
  if (withMap) {
    room(1);
    map[n++] = input.length;
  }
  let text = pieces.join('');
  let m: Int32Array = withMap ? map.slice(0, n) : map;
  if (homoglyphs) {
    ({ text, map: m } = collapseSpacing(text, m, false));
    text = deLeet(text);
  }
  return { text, map: m, hidden };
}

const NFKC_CACHE = new Map<string, string>();

/** NFKC of one code point; ICU calls are slow per call, and text repeats its characters. */
function nfkc(ch: string): string {
  let r = NFKC_CACHE.get(ch);
  if (r === undefined) {
    r = ch.normalize('NFKC');
    if (NFKC_CACHE.size < 4096) NFKC_CACHE.set(ch, r);
  }
  return r;
}

// Letter-spaced runs: single letters joined by one repeated separator. The ASCII form of the same
// pattern runs ~20x faster than the Unicode one; both find the same runs in ASCII text. In other text,
// SPACED_CORE ("sep, one character, same sep": every run has one right after its first letter) finds
// the few places where the Unicode pattern is then tried, anchored (sticky), instead of everywhere.
const SPACED_UNICODE = /(?<![\p{L}\p{N}])\p{L}([ .\-_*·|/+~]|\p{Extended_Pictographic}\uFE0F?)\p{L}(?:\1\p{L}){1,}(?![\p{L}\p{N}])/uy;
const SPACED_CORE = /([ .\-_*·|/+~]|\p{Extended_Pictographic}\uFE0F?)[^\s.\-_*·|/+~]\1/gu;
const SPACED_ASCII = /(?<![A-Za-z0-9])[A-Za-z]([ .\-_*|/+~])[A-Za-z](?:\1[A-Za-z]){1,}(?![A-Za-z0-9])/g;

/** Next letter-spaced run at or after `from` (the same match a global SPACED_UNICODE would find). */
function nextSpacedRun(text: string, from: number): RegExpExecArray | null {
  SPACED_CORE.lastIndex = from + 1;
  for (let core = SPACED_CORE.exec(text); core; core = SPACED_CORE.exec(text)) {
    SPACED_UNICODE.lastIndex = core.index - 1;
    const m = SPACED_UNICODE.exec(text);
    if (m) return m;
    // Cores may overlap ("a b c"): look again one code point on (a separator may be an emoji).
    SPACED_CORE.lastIndex = core.index + (text.codePointAt(core.index)! > 0xffff ? 2 : 1);
  }
  return null;
}

/** Joins letter-spaced words (`i g n o r e`, `i.g.n.o.r.e`, `i-g-n-o-r-e`) into words. `map` may be empty (no offsets wanted). */
function collapseSpacing(text: string, map: Int32Array, ascii: boolean): { text: string; map: Int32Array } {
  SPACED_ASCII.lastIndex = 0;
  const next = (from: number): RegExpExecArray | null => {
    if (!ascii) return nextSpacedRun(text, from);
    SPACED_ASCII.lastIndex = from;
    return SPACED_ASCII.exec(text);
  };
  let m = next(0);
  if (!m) return { text, map };
  const withMap = map.length > 0;
  const out: string[] = [];
  const outMap = new Int32Array(map.length);
  let n = 0;
  const copy = (from: number, to: number): void => {
    out.push(text.slice(from, to));
    if (withMap) for (let i = from; i < to; i++) outMap[n++] = map[i];
  };
  let last = 0;
  let afterRun = false;
  for (; m; m = next(m.index + m[0].length)) {
    // Letter-spaced text separates words with wide gaps: one space is enough once letters are joined.
    let from = last;
    let to = m.index;
    if (afterRun) while (from < to - 1 && text[from] === ' ' && text[from + 1] === ' ') from++;
    while (to > from + 1 && text[to - 1] === ' ' && text[to - 2] === ' ') to--;
    copy(from, to);
    const sep = m[1];
    for (let i = m.index; i < m.index + m[0].length; i++) {
      if (text.startsWith(sep, i)) {
        i += sep.length - 1;
        continue;
      }
      out.push(text[i]);
      if (withMap) outMap[n++] = map[i];
    }
    last = m.index + m[0].length;
    afterRun = true;
  }
  let from = last;
  while (from < text.length - 1 && text[from] === ' ' && text[from + 1] === ' ') from++;
  copy(from, text.length);
  if (withMap) outMap[n++] = map[text.length];
  return { text: out.join(''), map: withMap ? outMap.slice(0, n) : map };
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** Leet characters: 0 1 3 4 5 7 (anywhere next to a letter) and $ ! (only before one). */
const isLeetDigit = (c: number): boolean => c === 48 || c === 49 || c === 51 || c === 52 || c === 53 || c === 55;
const isLeet = (c: number): boolean => isLeetDigit(c) || c === 36 || c === 33;
const LEET_CHAR = /[013457$!]/g;

/**
 * Maps leetspeak digits and symbols to letters, but only when they touch a letter (`1gn0re`), so numbers stay numbers.
 * '$', '!' and '@' only before a letter ("!gnore", "@ll"): "done!" keeps its '!' and e-mail addresses their '@'.
 * One pass over character codes instead of a regex replace: same result, several times faster.
 */
function deLeet(text: string): string {
  let out = '';
  let from = 0;
  const n = text.length;
  // Jump from one leet character to the next (most text has few): the loop below only sees those.
  LEET_CHAR.lastIndex = 0;
  for (let hit = LEET_CHAR.exec(text); hit; hit = LEET_CHAR.exec(text)) {
    const i = hit.index;
    if (i < from) {
      LEET_CHAR.lastIndex = from;
      continue;
    }
    const c = text.charCodeAt(i);
    // A maximal run: after a letter, only leet digits continue it (/(?<=[A-Za-z])[013457]+/);
    // otherwise the run is any leet characters, not preceded by one, and must touch a letter after it.
    let j = i;
    if (isLeetDigit(c) && i > 0 && isLetter(text.charCodeAt(i - 1))) {
      while (j < n && isLeetDigit(text.charCodeAt(j))) j++;
    } else {
      if (i > 0 && isLeet(text.charCodeAt(i - 1))) continue;
      while (j < n && isLeet(text.charCodeAt(j))) j++;
      if (!isLetter(text.charCodeAt(j))) {
        LEET_CHAR.lastIndex = j;
        continue;
      }
    }
    out += text.slice(from, i);
    for (let k = i; k < j; k++) out += LEET[text[k]];
    from = j;
    LEET_CHAR.lastIndex = j;
  }
  if (from > 0) out += text.slice(from);
  else out = text;
  // "@ll" is leet for "all"; "@AI" or "@copilot" is a mention of a bot and stays as it is.
  return out.includes('@') ? out.replace(/(?<![A-Za-z0-9])@(?=[A-Za-z])(?!(?:ai|assistant|copilot|gpt|chatgpt|claude|gemini|bot)\b)/gi, 'a') : out;
}
