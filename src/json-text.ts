// Parses user-supplied JSON (requests, test cases) and explains a syntax error by line and column, never by quoting the input.

/** A JSON text parsed, or why it is not JSON. */
export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Parses `text`. On a syntax error, `error` names the place (`line 3, column 14`) and the kind of
 * mistake. V8's own message quotes part of the input, which may hold a secret or personal data, so
 * it is never passed on.
 */
export function parseJsonText(text: string): ParsedJson {
  // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, error: describeJsonError(body) };
  }
}

/** Where and why `text` (which JSON.parse rejected) stops being JSON, without any of its text. */
export function describeJsonError(text: string): string {
  if (text.trim() === '') return 'empty (no JSON value)';
  const { offset, problem } = firstError(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${problem} at line ${line}, column ${column}`;
}

/** A minimal JSON scanner: the offset of the first syntax error and what was expected there. */
function firstError(text: string): { offset: number; problem: string } {
  let i = 0;
  const fail = (problem: string): never => {
    throw { offset: i, problem };
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const end = (): boolean => i >= text.length;
  const string = (): void => {
    i++;
    for (;;) {
      if (end()) fail('unterminated string');
      const c = text[i];
      if (c === '"') return void i++;
      if (c < ' ') fail('control character in a string (escape it)');
      if (c === '\\') {
        i++;
        if (end()) fail('unterminated string');
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 5;
        } else if ('"\\/bfnrt'.includes(text[i])) i++;
        else fail('bad escape in a string');
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    if (end()) fail('unexpected end of input');
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a double-quoted property name');
        string();
        ws();
        if (text[i] !== ':') fail("expected ':' after a property name");
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return void i++;
        fail(end() ? 'unexpected end of input' : "expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return void i++;
        fail(end() ? 'unexpected end of input' : "expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!literal) fail('unexpected character');
    i += literal![0].length;
  };
  try {
    value();
    ws();
    if (!end()) fail('unexpected text after the JSON value');
  } catch (e) {
    if (e && typeof e === 'object' && 'problem' in e) return e as { offset: number; problem: string };
    if (e instanceof RangeError) return { offset: 0, problem: 'nested too deeply' };
    throw e;
  }
  // JSON.parse rejected what this scanner accepts (should not happen): point at the start.
  return { offset: 0, problem: 'not valid JSON' };
}
