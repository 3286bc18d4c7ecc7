// Loads YAML text into a Document with positions; the only module that turns JSON paths into line:col.
import { isUtf8 } from 'node:buffer';
import { type Alias as YamlAlias, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode, type Pair } from 'yaml';
import type { Diagnostic, JsonPath, Range } from '../diagnostics.js';
import { DOCS_BASE } from '../diagnostics.js';
import { MAX_PACK_BYTES } from './limits.js';

/** A parsed pack: plain data plus a way back to source positions. */
export interface PackDocument {
  /** File name as the user gave it. */
  source: string;
  text: string;
  /** The parsed value (plain JSON-compatible data), or undefined when parsing failed. */
  data: unknown;
  /** YAML syntax problems; when any is an error, `data` must not be trusted. */
  diagnostics: Diagnostic[];
  /**
   * Range of the node at `path`. `part: 'key'` underlines the key of the last segment
   * (unknown keys), `'value'` the value (wrong values). Missing segments fall back to the
   * nearest existing ancestor.
   */
  rangeOf(path: JsonPath, part?: 'key' | 'value'): Range;
  /** 1-based line of the node at `path` (its key where it has one). */
  lineOf(path: JsonPath): number;
}

/** Options for {@link loadDocument}. */
export interface LoadOptions {
  /** Refuse files larger than this many bytes (default 10 MiB). */
  maxBytes?: number;
  /** Maximum alias expansions before giving up (alias-bomb guard, default 100). */
  maxAliasCount?: number;
}

export { MAX_PACK_BYTES };
const DEFAULT_MAX_BYTES = MAX_PACK_BYTES;

/**
 * Parses `input` (one YAML document) into a {@link PackDocument}. Given the file's bytes, it also
 * reports text that is not UTF-8 (a Latin-1 or UTF-16 file) instead of linting replacement
 * characters. Never throws for bad input.
 */
export function loadDocument(source: string, input: string | Uint8Array, options: LoadOptions = {}): PackDocument {
  const bytes = typeof input === 'string' ? undefined : input;
  const text = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : (input as string);
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const toRange = (offsets: readonly [number, number]): Range => {
    const s = lineCounter.linePos(offsets[0]);
    const e = lineCounter.linePos(Math.max(offsets[0], offsets[1]));
    return { start: { line: s.line, column: s.col }, end: { line: e.line, column: e.col } };
  };
  const whole: Range = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  const yamlDiag = (code: string, message: string, range: Range = whole): Diagnostic => ({
    code: `yaml/${code}`,
    severity: 'error',
    message,
    source,
    path: [],
    range,
    docsUrl: `${DOCS_BASE}/diagnostics.md#yaml`,
  });

  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const fail = (d: Diagnostic): PackDocument => ({
    source,
    text,
    data: undefined,
    diagnostics: [d],
    rangeOf: () => whole,
    lineOf: () => 1,
  });
  if ((bytes ? bytes.byteLength : Buffer.byteLength(text, 'utf8')) > maxBytes) {
    return fail(yamlDiag('too-large', `file is larger than ${maxBytes} bytes; refusing to parse it`));
  }
  if (text.includes('\u0000')) {
    return fail(yamlDiag('binary', 'file contains NUL bytes; it is not a YAML text file'));
  }
  if (bytes && !isUtf8(bytes)) {
    // The first replacement character the decoder produced is where the file stops being UTF-8.
    const at = text.indexOf('\ufffd');
    const before = text.slice(0, Math.max(0, at)).replace(/^\ufeff/, '').split(/\r?\n/);
    const pos = { line: before.length, column: before[before.length - 1].length + 1 };
    return fail(yamlDiag('encoding', 'file is not UTF-8 text (Latin-1 or UTF-16?); save it as UTF-8', at >= 0 ? { start: pos, end: { line: pos.line, column: pos.column + 1 } } : whole));
  }
  // A leading BOM is legal; drop it so columns on line 1 match what editors show.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  // logLevel 'error': the yaml package would otherwise print Node warnings (process.emitWarning) on
  // stderr for odd input; every problem is reported as a diagnostic instead.
  const docs = parseAllDocuments(body, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true, merge: true, logLevel: 'error' });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length > 1) {
    const second = list[1];
    const at = second.range ? toRange([second.range[0], second.range[0] + 3]) : whole;
    diagnostics.push(yamlDiag('multi-document', 'a pack must be a single YAML document; found more than one', at));
  }
  const doc = list[0];
  if (!doc) {
    return { ...fail(yamlDiag('empty', 'file is empty; a pack needs at least `pack` and `policies`')), text };
  }
  // yaml's own uniqueKeys check compares every key with every earlier one (quadratic: a 20k-key map
  // took 18 s); a Set per map finds the same first duplicate in linear time.
  const keys = doc.errors.length === 0 ? scanKeys(doc.contents) : {};
  if (keys.complex) {
    diagnostics.push(yamlDiag('complex-key', 'a key must be a plain value (a name), not a list or mapping', toRange(keys.complex)));
  } else if (keys.duplicate) {
    diagnostics.push(yamlDiag('duplicate-key', 'Map keys must be unique', toRange(keys.duplicate)));
  }
  // Only the first syntax error: later ones are almost always the parser losing its footing.
  for (const err of doc.errors.slice(0, 1)) {
    diagnostics.push(yamlDiag(yamlErrorCode(err.code), cleanYamlMessage(err.message), toRange(openerOf(body, err.message, err.pos))));
  }
  for (const warn of doc.warnings) {
    diagnostics.push({ ...yamlDiag(yamlErrorCode(warn.code), cleanYamlMessage(warn.message), toRange(warn.pos)), severity: 'warning' });
  }

  let data: unknown;
  if (!diagnostics.some((d) => d.severity === 'error')) {
    try {
      data = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 100 });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const unresolved = /^Unresolved alias[^:]*: (.+)$/.exec(message.split('\n')[0]);
      if (unresolved) {
        const at = body.indexOf(`*${unresolved[1]}`);
        diagnostics.push(
          yamlDiag(
            'bad-alias',
            `alias *${unresolved[1]} refers to no anchor &${unresolved[1]} defined before it`,
            at >= 0 ? toRange([at, at + unresolved[1].length + 1]) : whole,
          ),
        );
      } else if (/^Merge sources/.test(message)) {
        // `<<: 5` or `<<: *list`: merge keys take a mapping (or a list of them); the yaml package names no position.
        const bad = firstBadMergeValue(doc.contents, doc);
        if (bad && isAlias(bad.node) && bad.node.resolve(doc) === undefined) {
          diagnostics.push(yamlDiag('bad-alias', `alias *${bad.node.source} refers to no anchor &${bad.node.source} defined before it`, toRange(bad.at)));
        } else {
          diagnostics.push(yamlDiag('bad-merge', 'a merge key (<<) takes a mapping, an alias of one, or a list of those', bad ? toRange(bad.at) : whole));
        }
      } else if (/^Excessive alias count/.test(message)) {
        diagnostics.push(yamlDiag('alias-limit', 'too many alias expansions (possible "billion laughs" alias bomb); refusing to expand'));
      } else {
        diagnostics.push(yamlDiag('syntax', cleanYamlMessage(message)));
      }
    }
  }

  const root = doc.contents as YamlNode | null;
  const nodeRange = (node: unknown): Range | undefined => {
    const r = (node as { range?: [number, number, number] } | null)?.range;
    return r ? toRange([r[0], r[1]]) : undefined;
  };

  /**
   * Walks `path`, returning the deepest node/pair reached and whether the walk completed. When
   * the rest of the path lives behind an alias (or a `<<` merge of one), `useSite` is that alias:
   * a problem inside anchored content is reported where the anchor is used.
   */
  /**
   * Each mapping's pairs by key (the first pair of a key, as a scan would find it) and its first `<<` pair,
   * indexed once: a pack with thousands of diagnostics in one mapping must not rescan it for each one.
   */
  const mapIndex = new WeakMap<object, { byKey: Map<string, Pair>; merge?: Pair }>();
  const indexOf = (map: { items: unknown[] }): { byKey: Map<string, Pair>; merge?: Pair } => {
    let index = mapIndex.get(map);
    if (!index) {
      index = { byKey: new Map() };
      for (const p of map.items) {
        if (!isPair(p)) continue;
        const k = keyString(p.key);
        if (k !== undefined && !index.byKey.has(k)) index.byKey.set(k, p);
        if (index.merge === undefined && isMergeKey(p.key)) index.merge = p;
      }
      mapIndex.set(map, index);
    }
    return index;
  };

  const walk = (path: JsonPath): { node: unknown; pair?: Pair; complete: boolean; useSite?: unknown } => {
    let node: unknown = root;
    let pair: Pair | undefined;
    for (const seg of path) {
      if (isAlias(node)) return { node, pair, complete: false, useSite: node };
      if (isMap(node)) {
        const index = indexOf(node);
        const found = index.byKey.get(String(seg));
        if (!found) {
          return { node, pair, complete: false, useSite: index.merge?.value ?? undefined };
        }
        pair = found;
        node = found.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) return { node, pair, complete: false };
        pair = undefined;
        node = item;
      } else {
        return { node, pair, complete: false };
      }
    }
    return { node, pair, complete: true };
  };

  const rangeOf = (path: JsonPath, part: 'key' | 'value' = 'value'): Range => {
    const { node, pair, complete, useSite } = walk(path);
    if (complete && part === 'key' && pair) return nodeRange(pair.key) ?? whole;
    // A mapping without a key of its own (the document, a list item): its first key, not every line it spans.
    if (complete && part === 'key' && isMap(node) && isPair(node.items[0])) {
      const first = nodeRange(node.items[0].key);
      if (first) return first;
    }
    if (!complete) {
      const at = useSite ? nodeRange(useSite) : undefined;
      if (at) return at;
      // Missing key: point at the parent's key where there is one, else the parent node start.
      if (pair) return nodeRange(pair.key) ?? whole;
      const r = nodeRange(node);
      return r ? { start: r.start, end: r.start } : whole;
    }
    // An empty value (`name:`) has a zero-width range at the line end; the key is what users see.
    const empty = isScalar(node) && node.value === null && (node.source ?? '') === '';
    if (empty && pair) return nodeRange(pair.key) ?? whole;
    return nodeRange(node) ?? (pair ? nodeRange(pair.key) : undefined) ?? whole;
  };

  return {
    source,
    text,
    data,
    diagnostics,
    rangeOf,
    lineOf: (path) => rangeOf(path, 'key').start.line,
  };
}

/**
 * yaml reports an unclosed quote or bracket where it gave up (often the end of the file); the
 * user needs the opening character. An unterminated quoted scalar runs to the error, so its
 * opener is the last unescaped quote before it; an unclosed flow collection's is the last `[`/`{`.
 */
function openerOf(text: string, message: string, pos: readonly [number, number]): [number, number] {
  const find = (ch: string): number => {
    for (let i = Math.min(pos[0], text.length) - 1; i >= 0; i--) {
      if (text[i] === ch && !(ch === '"' && text[i - 1] === '\\')) return i;
    }
    return -1;
  };
  const opener = /closing "quote/.test(message) ? '"' : /closing 'quote/.test(message) ? "'" : /end with a \]/.test(message) ? '[' : /end with a \}/.test(message) ? '{' : '';
  const at = opener ? find(opener) : -1;
  return at >= 0 ? [at, at + 1] : [pos[0], pos[1]];
}

/** Offsets of the first `<<` value that is not a mapping, an alias of one, or a list of those. */
function firstBadMergeValue(root: unknown, doc: Parameters<YamlAlias['resolve']>[0]): { node: unknown; at: [number, number] } | undefined {
  const isMapping = (v: unknown): boolean => isMap(v) || (isAlias(v) && isMap(v.resolve(doc)));
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isMergeKey(pair.key)) {
          const bad = isSeq(pair.value) ? pair.value.items.find((item) => !isMapping(item)) : isMapping(pair.value) ? undefined : pair.value;
          const r = (bad as { range?: [number, number, number] } | null | undefined)?.range ?? (bad === null ? (pair.key as { range?: [number, number, number] }).range : undefined);
          if (bad !== undefined && r) return { node: bad, at: [r[0], r[1]] };
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return undefined;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || key.value === '<<') && key.source === '<<';
}

function keyString(key: unknown): string | undefined {
  // Only scalar keys have a name in the data; collection keys are reported as yaml/complex-key.
  return isScalar(key) ? String(key.value) : undefined;
}

function yamlErrorCode(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'duplicate-key';
    case 'TAB_AS_INDENT':
      return 'tab-indent';
    case 'BAD_ALIAS':
    case 'ALIAS_PROPS':
      return 'bad-alias';
    case 'TAG_RESOLVE_FAILED':
    case 'BAD_COLLECTION_TYPE':
      return 'tag';
    default:
      // Every other parser complaint (indentation, unclosed brackets, flow/block mix-ups, …) is one
      // documented code: the message says which.
      return 'syntax';
  }
}

function cleanYamlMessage(message: string): string {
  // yaml appends "at line X, column Y" and a code frame; positions are carried separately.
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
  // The parser ran out of stack: say what about the document did it, not what happened inside the parser.
  if (/Maximum call stack size exceeded/i.test(first)) return 'nested too deeply to read (collections inside collections past what the parser can follow); flatten the document';
  return first;
}

/**
 * Offsets of the first repeated key and of the first key that is a list or mapping (`? [a, b]`),
 * in document order (merge keys `<<` may repeat). A collection key has no JSON form: the yaml
 * package would stringify it and print a Node warning, so it is reported as a diagnostic instead.
 */
function scanKeys(root: unknown): { duplicate?: [number, number]; complex?: [number, number] } {
  let duplicate: [number, number] | undefined;
  let complex: [number, number] | undefined;
  const earliest = (found: [number, number] | undefined, key: unknown): [number, number] | undefined => {
    const r = (key as { range?: [number, number, number] } | null)?.range;
    return r && (!found || r[0] < found[0]) ? [r[0], r[1]] : found;
  };
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isMap(key) || isSeq(key)) {
          // Reported as complex-key; stringifying it could itself throw (a merge key inside it).
          // A block mapping's own range can start after its first key: take whichever comes first.
          const first = (isMap(key) ? (key.items[0]?.key as { range?: [number, number, number] } | null) : null)?.range;
          const own = key.range;
          complex = earliest(complex, { range: first && own && first[0] < own[0] ? [first[0], own[1], own[2]] : own });
          stack.push(pair.value);
          continue;
        }
        const name = isScalar(key) ? `s:${String(key.value)}` : isAlias(key) ? `a:${key.source}` : 'null';
        if (name === 's:<<') continue;
        if (seen.has(name)) duplicate = earliest(duplicate, key);
        seen.add(name);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return { duplicate, complex };
}
