// Upper bound on how far a regex reads around its match start: lets a scanner run a pattern only near its gate words.

/**
 * The most characters a match of `source` can span, counting what lookarounds read as well (so a window of this
 * size on each side of any character of a match holds everything the pattern looks at). `Infinity` when a
 * quantifier is unbounded (`*`, `+`, `{n,}`). Handles the syntax the built-in signals use: literals, escapes,
 * classes, groups, lookarounds, alternation and quantifiers; a backreference counts as 8 (only single
 * characters are captured for one).
 */
export function regexReach(source: string): number {
  let i = 0;
  const alt = (): number => {
    let best = 0;
    for (;;) {
      best = Math.max(best, seq());
      if (source[i] !== '|') return best;
      i++;
    }
  };
  const seq = (): number => {
    let total = 0;
    while (i < source.length && source[i] !== '|' && source[i] !== ')') {
      let n = atom();
      const q = /^(?:\?|\*|\+|\{(\d+)(?:(,)(\d*))?\})\??/.exec(source.slice(i, i + 16));
      if (q) {
        i += q[0].length;
        const max = q[0][0] === '?' ? 1 : q[0][0] === '*' || q[0][0] === '+' ? Infinity : q[2] === undefined ? Number(q[1]) : q[3] === '' ? Infinity : Number(q[3]);
        n = n === 0 ? 0 : n * max;
      }
      total += n;
    }
    return total;
  };
  const atom = (): number => {
    const c = source[i];
    if (c === '(') {
      i++;
      if (source.startsWith('?#', i)) {
        i = source.indexOf(')', i) + 1;
        return 0;
      }
      if (source.startsWith('?:', i) || source.startsWith('?=', i) || source.startsWith('?!', i)) i += 2;
      else if (source.startsWith('?<=', i) || source.startsWith('?<!', i)) i += 3;
      else if (source.startsWith('?<', i)) i = source.indexOf('>', i) + 1;
      const n = alt();
      i++;
      return n;
    }
    if (c === '[') {
      i++;
      if (source[i] === '^') i++;
      if (source[i] === ']') i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i++;
      return 1;
    }
    if (c === '\\') {
      const d = source[i + 1];
      i += 2;
      if (d === 'b' || d === 'B') return 0;
      if (d === 'u' && source[i] === '{') {
        i = source.indexOf('}', i) + 1;
        return 2;
      }
      if (d === 'u') {
        i += 4;
        return 1;
      }
      if (d === 'x') {
        i += 2;
        return 1;
      }
      if (d === 'p' || d === 'P') {
        i = source.indexOf('}', i) + 1;
        return 2;
      }
      return d >= '1' && d <= '9' ? 8 : 1;
    }
    i += c.codePointAt(0)! > 0xffff ? 2 : 1;
    return c === '^' || c === '$' ? 0 : c.codePointAt(0)! > 0xffff ? 2 : 1;
  };
  return alt();
}

