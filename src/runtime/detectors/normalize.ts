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

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l' };
const LATIN = /[A-Za-z]/;

/**
 * Normalises `input` for matching. Linear in its length. Letters keep their case; callers match
 * case-insensitively.
 */
export function normalize(input: string, opts: NormalizeOptions = {}): NormalizedText {
  const unicode = opts.unicode !== false;
  const homoglyphs = opts.homoglyphs !== false;
  // Fast path: plain ASCII has nothing to fold; only spacing and leetspeak apply.
  if (!/[^\x00-\x7f]/.test(input)) {
    const map = new Int32Array(input.length + 1);
    for (let i = 0; i <= input.length; i++) map[i] = i;
    if (!homoglyphs) return { text: input, map, hidden: '' };
    const spaced = collapseSpacing(input, map);
    return { text: deLeet(spaced.text), map: spaced.map, hidden: '' };
  }
  let out = '';
  const map: number[] = [];
  let hidden = '';
  for (let i = 0; i < input.length; ) {
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
        out += ' ';
        map.push(i);
      }
      i += width;
      continue;
    }
    if (unicode && cp > 0x7f) ch = ch.normalize('NFKC');
    if (homoglyphs && cp > 0x7f) {
      const prev = out[out.length - 1] ?? '';
      const next = input[i + width] ?? '';
      // Only inside Latin words: a whole Cyrillic or Greek sentence keeps its own letters.
      const g = HOMOGLYPHS[ch];
      if (g && (LATIN.test(prev) || LATIN.test(next))) ch = g;
      else if (g && /[\u0400-\u04FF\u0370-\u03FF]/.test(next) === false && /[\u0400-\u04FF\u0370-\u03FF]/.test(prev) === false && HOMOGLYPHS[next] === undefined) ch = g;
    }
    for (let k = 0; k < ch.length; k++) map.push(i);
    out += ch;
    i += width;
  }
  map.push(input.length);
  let text = out;
  let m: Int32Array = Int32Array.from(map);
  if (homoglyphs) {
    ({ text, map: m } = collapseSpacing(text, m));
    text = deLeet(text);
  }
  return { text, map: m, hidden };
}

/** Joins letter-spaced words (`i g n o r e`, `i.g.n.o.r.e`, `i-g-n-o-r-e`) into words. */
function collapseSpacing(text: string, map: Int32Array): { text: string; map: Int32Array } {
  const re = /(?<![\p{L}\p{N}])\p{L}([ .\-_*·])\p{L}(?:\1\p{L}){1,}(?![\p{L}\p{N}])/gu;
  if (!re.test(text)) return { text, map };
  re.lastIndex = 0;
  let out = '';
  const outMap: number[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    for (let i = last; i < m.index; i++) {
      out += text[i];
      outMap.push(map[i]);
    }
    const sep = m[1];
    for (let i = m.index; i < m.index + m[0].length; i++) {
      if (text[i] === sep) continue;
      out += text[i];
      outMap.push(map[i]);
    }
    last = m.index + m[0].length;
  }
  for (let i = last; i < text.length; i++) {
    out += text[i];
    outMap.push(map[i]);
  }
  outMap.push(map[text.length]);
  // Words spaced with single spaces were separated by wider gaps: those gaps become one space.
  return { text: out, map: Int32Array.from(outMap) };
}

/** Maps leetspeak digits and symbols to letters, but only when they touch a letter (`1gn0re`), so numbers stay numbers. */
function deLeet(text: string): string {
  return text.replace(/(?<=[A-Za-z])[013457@$!|]+|[013457@$!|]+(?=[A-Za-z])/g, (s) => {
    let r = '';
    for (const c of s) r += LEET[c] ?? c;
    return r;
  });
}
