// Finds every place text lives in a chat request or response, and writes rewritten text back.
import type { ChatMessage, ChatRequest, ChatResponse } from './types.js';

/** One piece of scannable text and where it lives. */
export interface TextSlot {
  /** Human-readable location, e.g. `messages[2].content[1].text`. */
  path: string;
  text: string;
  /** Role of the message the text belongs to (`assistant` for response choices). */
  role: string;
  /** Index of the message (request) or choice (response). */
  index: number;
  /** Path from the root to the string field `apply` writes (the arguments string for tool-call leaves). */
  at: ReadonlyArray<string | number>;
  /** Writes `text` into the same place of `root` (a clone of the original). */
  apply(root: unknown, text: string): void;
}

/** A message content part the chain cannot read (an image, audio, a file, an unknown part type): where it is and its type, never its content. */
export interface NonTextPart {
  /** e.g. `messages[1].content[0]`. */
  path: string;
  /** The part's `type` (`image_url`, `input_audio`, `file`, …); `unknown` when it has none. */
  type: string;
}

type Container = Record<string, unknown> | unknown[];

/**
 * Text slots of a chat completion request, in message order. When `nonText` is given, every message
 * content part that is not text (or a refusal, whose text is read) is appended to it, found in the same walk.
 */
export function requestSlots(request: ChatRequest, nonText?: NonTextPart[]): TextSlot[] {
  const slots: TextSlot[] = [];
  const messages = Array.isArray(request.messages) ? request.messages : [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m && typeof m === 'object') messageSlots(m, ['messages', i], `messages[${i}]`, String(m.role ?? ''), i, slots, nonText);
  }
  // Text the model also sees (or that is stored with the request) outside the messages.
  const r = request as Record<string, unknown>;
  if (Array.isArray(r.tools)) {
    r.tools.forEach((tool, t) => {
      const fn = (tool as { function?: unknown } | null)?.function;
      if (fn && typeof fn === 'object') stringLeaves(fn, ['tools', t, 'function'], `tools[${t}].function`, 'tools', -1, slots, SKIP_TOOL_KEYS);
    });
  }
  for (const key of REQUEST_TEXT_FIELDS) {
    if (r[key] !== undefined && r[key] !== null) stringLeaves(r[key], [key], key, key, -1, slots, SKIP_PART_KEYS);
  }
  return slots;
}

/**
 * Request fields outside `messages` whose strings are scanned too. `safety_identifier` and
 * `prompt_cache_key` replace the deprecated `user` (services put the end user's e-mail there), and
 * `stop` sequences are client text sent upstream like any other.
 */
const REQUEST_TEXT_FIELDS = ['prediction', 'user', 'safety_identifier', 'prompt_cache_key', 'stop', 'metadata', 'response_format'] as const;
/** Keys whose values are identifiers or binary payloads, not text: never scanned. */
const SKIP_PART_KEYS = new Set(['type', 'image_url', 'input_audio', 'file', 'detail', 'format']);
const SKIP_TOOL_KEYS = new Set(['name', 'strict']);

/** Text slots of a chat completion response: every choice's content and tool calls. */
export function responseSlots(response: ChatResponse): TextSlot[] {
  const slots: TextSlot[] = [];
  const choices = Array.isArray(response.choices) ? response.choices : [];
  for (let c = 0; c < choices.length; c++) {
    const msg = choices[c]?.message;
    if (msg && typeof msg === 'object') {
      messageSlots(msg, ['choices', c, 'message'], `choices[${c}].message`, 'assistant', c, slots);
    }
  }
  return slots;
}

/** Part types whose content the chain reads as text. */
const READABLE_PART_TYPES: ReadonlySet<unknown> = new Set(['text', 'refusal']);

function messageSlots(m: ChatMessage, base: Array<string | number>, label: string, role: string, index: number, out: TextSlot[], nonText?: NonTextPart[]): void {
  const content = m.content;
  if (typeof content === 'string') {
    out.push(leaf(`${label}.content`, content, role, index, [...base, 'content']));
  } else if (Array.isArray(content)) {
    for (let j = 0; j < content.length; j++) {
      const part = content[j];
      if (nonText && part !== null && part !== undefined) {
        const type = typeof part === 'object' ? (part as { type?: unknown }).type : undefined;
        if (!READABLE_PART_TYPES.has(type)) {
          // Only the type name is kept, and only when it looks like one (lower-case letters and underscores, as OpenAI's
          // part types): it is client-chosen text that ends up in block messages and audit records, so no digits or '@'.
          nonText.push({ path: `${label}.content[${j}]`, type: typeof type === 'string' && /^[a-z_]{1,32}$/.test(type) ? type : 'unknown' });
        }
      }
      if (part && typeof part === 'object' && typeof part.text === 'string') {
        out.push(leaf(`${label}.content[${j}].text`, part.text, role, index, [...base, 'content', j, 'text']));
      } else if (part !== null && part !== undefined) {
        // An unexpected part shape is scanned string by string, never passed through unread.
        stringLeaves(part, [...base, 'content', j], `${label}.content[${j}]`, role, index, out, SKIP_PART_KEYS);
      }
    }
  } else if (content !== null && content !== undefined) {
    stringLeaves(content, [...base, 'content'], `${label}.content`, role, index, out, SKIP_PART_KEYS);
  }
  if (typeof m.refusal === 'string') out.push(leaf(`${label}.refusal`, m.refusal, role, index, [...base, 'refusal']));
  if (Array.isArray(m.tool_calls)) {
    for (let k = 0; k < m.tool_calls.length; k++) {
      const args: unknown = m.tool_calls[k]?.function?.arguments;
      const at = [...base, 'tool_calls', k, 'function', 'arguments'];
      if (typeof args === 'string') argumentSlots(args, `${label}.tool_calls[${k}].function.arguments`, role, index, at, out);
      // Some OpenAI-compatible servers (and clients) send the arguments as a JSON object: scanned too, never passed through unread.
      else if (args !== null && args !== undefined) stringLeaves(args, at, `${label}.tool_calls[${k}].function.arguments`, role, index, out, NO_SKIP);
    }
  }
  const legacy = (m.function_call as { arguments?: unknown } | undefined)?.arguments;
  const legacyAt = [...base, 'function_call', 'arguments'];
  if (typeof legacy === 'string') argumentSlots(legacy, `${label}.function_call.arguments`, role, index, legacyAt, out);
  else if (legacy !== null && legacy !== undefined) stringLeaves(legacy, legacyAt, `${label}.function_call.arguments`, role, index, out, NO_SKIP);
}

const NO_SKIP: ReadonlySet<string> = new Set();

/** Tool-call arguments are JSON: scan each string leaf so rewrites keep the JSON valid. */
function argumentSlots(args: string, label: string, role: string, index: number, at: Array<string | number>, out: TextSlot[]): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    out.push(leaf(label, args, role, index, at));
    return;
  }
  const visit = (value: unknown, inner: Array<string | number>): void => {
    if (typeof value === 'string') {
      out.push({
        path: `${label}${inner.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`,
        text: value,
        role,
        index,
        at,
        apply(root, text) {
          const holder = getAt(root, at.slice(0, -1)) as Container;
          const key = at[at.length - 1];
          const current = JSON.parse(String((holder as Record<string, unknown>)[key as string]));
          const next = inner.length === 0 ? text : setAt(current, inner, text);
          (holder as Record<string, unknown>)[key as string] = JSON.stringify(next);
        },
      });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, [...inner, i]));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, [...inner, k]);
    }
  };
  visit(parsed, []);
}

/** Every string under `value` (any JSON shape) as a slot, skipping keys in `skip`; bounded depth. */
function stringLeaves(value: unknown, at: Array<string | number>, label: string, role: string, index: number, out: TextSlot[], skip: ReadonlySet<string>, depth = 0): void {
  if (typeof value === 'string') {
    out.push(leaf(label, value, role, index, at));
  } else if (depth >= MAX_DEPTH) {
    // Text below this depth would pass on unread: refuse to decide (the proxy fails closed on a thrown evaluation).
    if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
      throw new Error(`ktpack runtime: the input nests deeper than ${MAX_DEPTH} levels; refusing to evaluate text it cannot read`);
    }
    return;
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => stringLeaves(v, [...at, i], `${label}[${i}]`, role, index, out, skip, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!skip.has(k)) stringLeaves(v, [...at, k], `${label}.${k}`, role, index, out, skip, depth + 1);
    }
  }
}

/** Deeper nesting is refused by the proxy before evaluation; the runtime throws rather than pass it on unread. */
const MAX_DEPTH = 64;

function leaf(path: string, text: string, role: string, index: number, at: Array<string | number>): TextSlot {
  return {
    path,
    text,
    role,
    index,
    at,
    apply(root, next) {
      const holder = getAt(root, at.slice(0, -1)) as Record<string | number, unknown>;
      holder[at[at.length - 1]] = next;
    },
  };
}

function getAt(root: unknown, path: Array<string | number>): unknown {
  let node = root;
  for (const seg of path) node = (node as Record<string | number, unknown>)[seg];
  return node;
}

function setAt(root: unknown, path: Array<string | number>, value: unknown): unknown {
  const holder = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  holder[path[path.length - 1]] = value;
  return root;
}

/**
 * Copies `original` along `paths` only (every container from the root to each path's parent),
 * sharing everything else: the cheap clone slot writes need, instead of a deep copy.
 */
export function cloneAlong<T>(original: T, paths: ReadonlyArray<ReadonlyArray<string | number>>): T {
  const copy = (v: unknown): Container => (Array.isArray(v) ? [...v] : { ...(v as Record<string, unknown>) });
  const root = copy(original);
  const copies = new Map<unknown, Container>([[original, root]]);
  for (const path of paths) {
    let src: unknown = original;
    let dst = root as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) {
      const child = (src as Record<string | number, unknown>)[path[i]];
      let next = copies.get(child);
      if (!next) {
        next = copy(child);
        copies.set(child, next);
      }
      dst[path[i]] = next;
      src = child;
      dst = next as Record<string | number, unknown>;
    }
  }
  return root as T;
}
