// Incremental Server-Sent Events parsing (upstream bytes → `data:` payloads) and event formatting.

/** Splits an SSE byte stream into the `data` payloads of its events, across arbitrary chunk boundaries. */
export class SseParser {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  /** Feeds bytes; returns the data payloads of every event completed by them. */
  push(chunk: Uint8Array): string[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  /** The stream ended: returns the payload of a final event that lacked its blank line, if any. */
  end(): string[] {
    this.buffer += this.decoder.decode();
    return this.drain(true);
  }

  private drain(final: boolean): string[] {
    const out: string[] = [];
    // Events end at a blank line; CRLF and CR line ends are allowed by the SSE spec.
    const normalized = this.buffer.replace(/\r\n?/g, '\n');
    const parts = normalized.split('\n\n');
    this.buffer = final ? '' : (parts.pop() ?? '');
    for (const part of parts) {
      const data = eventData(part);
      if (data !== undefined) out.push(data);
    }
    return out;
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
