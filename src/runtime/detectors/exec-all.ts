// Iterates the matches of a global regex in place: String#matchAll clones the regex on every call, and under GC
// pressure V8 drops its regex compilation cache, so each clone was compiled again.

/**
 * Calls `each(match)` for every match of the global (or sticky) regex `re` in `text`, from the start. `re.lastIndex`
 * is used as the cursor: do not run the same regex inside `each`.
 */
export function execAll(re: RegExp, text: string, each: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) re.lastIndex++;
    const at = re.lastIndex;
    each(m);
    re.lastIndex = at;
  }
}
