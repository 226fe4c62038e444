/**
 * Incremental `text/event-stream` parser (WHATWG HTML "server-sent events"), fed the response
 * body as it arrives. Network chunks split anywhere: inside a line, between CR and LF, or inside
 * a multi-byte UTF-8 character; the parser carries the incomplete part to the next chunk.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field; 'message' when the event had none. */
  event: string;
  /** The event's `data:` lines joined with '\n'. */
  data: string;
}

const LINE_END = /\r\n|\r|\n/g;

/** Parses one response body; create one per request. */
export class SseParser {
  // Streaming mode keeps a character split across chunks until its last byte arrives; it also
  // drops a leading BOM, as the SSE spec requires.
  private readonly decoder = new TextDecoder('utf-8');
  private partialLine = '';
  // The previous chunk ended in CR: an LF at the start of the next one belongs to that line end.
  private skipLeadingLf = false;
  private eventType = '';
  private data = '';
  private hasData = false;

  /** Parses the next piece of the body; returns the events it completed, in order. */
  push(chunk: Uint8Array): SseEvent[] {
    const events: SseEvent[] = [];
    this.feed(this.decoder.decode(chunk, { stream: true }), events);
    return events;
  }

  /**
   * Ends the body. A last event without its closing blank line is still delivered (the spec
   * drops it), so a server that ends with `data: [DONE]` and no blank line is understood.
   */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    this.feed(this.decoder.decode(), events);
    if (this.partialLine !== '') this.line(this.partialLine, events);
    this.partialLine = '';
    this.dispatch(events);
    return events;
  }

  private feed(text: string, events: SseEvent[]): void {
    if (text === '') return;
    // skipLeadingLf is only ever set when the previous chunk ended exactly at a CR, so with no
    // partial line held.
    const buffer = this.partialLine === '' ? text : this.partialLine + text;
    let start = this.skipLeadingLf && buffer.charCodeAt(0) === 10 ? 1 : 0;
    this.skipLeadingLf = false;
    LINE_END.lastIndex = start;
    let match: RegExpExecArray | null;
    while ((match = LINE_END.exec(buffer)) !== null) {
      this.line(buffer.slice(start, match.index), events);
      start = LINE_END.lastIndex;
      if (start === buffer.length && match[0] === '\r') this.skipLeadingLf = true;
    }
    this.partialLine = start === buffer.length ? '' : buffer.slice(start);
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      this.dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' starts a comment, e.g. DeepSeek's ': keep-alive'
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') {
      this.data = this.hasData ? `${this.data}\n${value}` : value;
      this.hasData = true;
    } else if (field === 'event') {
      this.eventType = value;
    }
    // `id` and `retry` only matter to EventSource reconnection, which a POST stream never does.
  }

  private dispatch(events: SseEvent[]): void {
    // Like openai-node (the reference client), an `event:` without data is still delivered, so
    // a bare `event: error` is not lost.
    if (this.hasData || this.eventType !== '') {
      events.push({ event: this.eventType || 'message', data: this.data });
    }
    this.eventType = '';
    this.data = '';
    this.hasData = false;
  }
}
