// Incremental Server-Sent Events parsing (upstream bytes → `data:` payloads) and event formatting.

/**
 * A blank line ends an event: two line ends in a row, each CRLF, LF or CR (a CR directly before an LF is part of
 * that CRLF, never a line end of its own).
 */
const BOUNDARY = /(?:\r\n|\n|\r(?!\n))(?:\r\n|\n|\r)/g;

/**
 * Splits an SSE byte stream into the `data` payloads of its events, across arbitrary chunk boundaries. Only new text
 * is searched for the end of an event (plus the few characters before it that a boundary may span), so one huge
 * event (or an upstream that never ends one) costs time in proportion to its size, not to its size squared.
 */
export class SseParser {
  /** Text of the event not yet ended, in the pieces it arrived in. */
  private parts: string[] = [];
  private readonly decoder = new TextDecoder();

  /** Feeds bytes; returns the data payloads of every event completed by them. */
  push(chunk: Uint8Array): string[] {
    return this.feed(this.decoder.decode(chunk, { stream: true }), false);
  }

  /** The stream ended: returns the payload of a final event that lacked its blank line, if any. */
  end(): string[] {
    return this.feed(this.decoder.decode(), true);
  }

  private feed(text: string, final: boolean): string[] {
    const out: string[] = [];
    // A boundary is at most four characters: search the new text with up to three held ones before it.
    const last = this.parts.pop() ?? '';
    const held = last.length > 3 ? last.slice(-3) : last;
    if (last.length > 3) this.parts.push(last.slice(0, -3));
    const s = held + text;
    let from = 0;
    BOUNDARY.lastIndex = 0;
    for (let m = BOUNDARY.exec(s); m; m = BOUNDARY.exec(s)) {
      this.parts.push(s.slice(from, m.index));
      this.emit(out);
      from = m.index + m[0].length;
    }
    if (from < s.length) this.parts.push(s.slice(from));
    if (final) this.emit(out);
    return out;
  }

  private emit(out: string[]): void {
    const block = this.parts.join('');
    this.parts = [];
    const data = eventData(block.replace(/\r\n?/g, '\n'));
    if (data !== undefined) out.push(data);
  }
}

function eventData(block: string): string | undefined {
  let data: string[] | undefined;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') continue;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    (data ??= []).push(value);
  }
  return data?.join('\n');
}

/** Formats one `data:` event. */
export function sseEvent(payload: string): string {
  return `data: ${payload}\n\n`;
}

/** The terminating event of an OpenAI stream. */
export const SSE_DONE = 'data: [DONE]\n\n';
