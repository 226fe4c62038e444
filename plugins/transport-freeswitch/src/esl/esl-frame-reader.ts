/**
 * An incremental reader of what FreeSWITCH sends on the Event Socket (specs/protocols.md §1.1):
 * each frame is a block of `Name: value` lines ending at the first blank line, then exactly
 * `Content-Length` bytes of body. It works on Buffers (lengths are bytes), copes with a frame
 * split across any chunk boundary and with many frames in one chunk, copies each byte at most
 * twice whatever the chunking, and never throws: every frame comes out as
 *   - `frame`: valid, with its outer headers decoded and, for events, the typed event;
 *   - `invalid`: well delimited but unusable (garbage lines, bad percent-encoding, no
 *     Content-Type, an event body that does not parse); the reader carries on after it;
 *   - `fault`: the stream cannot be delimited any more (header block too long, a Content-Length
 *     that is not a number or absurdly large); the reader stops, the connection must be reset.
 */
import {
  BYTE_COUNT,
  newHeaderMap,
  parseJsonEvent,
  parsePlainEvent,
  parseXmlEvent,
  preview,
  readHeaderLines,
  type HeaderMap,
} from './esl-event-parse.js';
import type { EslEvent } from './types.js';

/** FreeSWITCH's own limit on a message body (MAX_CONTENT_LENGTH in mod_event_socket.c). */
export const MAX_CONTENT_LENGTH = 16 * 1024 * 1024;
/** Far above the largest real header block (an outbound CHANNEL_DATA reply, about 7 KB). */
export const MAX_HEADER_BLOCK_BYTES = 64 * 1024;

export interface EslFrame {
  readonly contentType: string;
  /** The outer headers, percent-decoded (FreeSWITCH URL-encodes the outbound CHANNEL_DATA reply). */
  readonly headers: Readonly<Record<string, string>>;
  /** The Content-Length bytes after the header block; undefined when there are none. */
  readonly body: Buffer | undefined;
  /** The frame's exact bytes: header block, blank line, body. */
  readonly raw: Buffer;
  /** For text/event-json, text/event-plain and text/event-xml: the event. */
  readonly event: EslEvent | undefined;
}

export type EslReadResult =
  | { readonly kind: 'frame'; readonly frame: EslFrame }
  | { readonly kind: 'invalid'; readonly reason: string; readonly contentType: string | undefined; readonly bytes: number; readonly preview: string }
  | { readonly kind: 'fault'; readonly reason: string };

export interface EslFrameLimits {
  maxHeaderBlockBytes?: number;
  maxContentLength?: number;
}

const LF = 0x0a;
const BLANK_LINE = Buffer.from('\n\n');

/** The header block of a frame, once read; offsets are relative to the frame's first byte. */
interface FrameHead {
  readonly headers: HeaderMap;
  readonly problem: string | undefined;
  readonly bodyStart: number;
  readonly frameLength: number;
}

export class EslFrameReader {
  private readonly maxHeaderBlockBytes: number;
  private readonly maxContentLength: number;
  /** Bytes of the incomplete frame at the end of the stream, in arrival order. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** The incomplete frame's header block, when only its body is still missing. */
  private head: FrameHead | undefined;
  /** Whether the held bytes end with LF (a blank line can straddle two chunks). */
  private heldEndsWithLf = false;
  private frames = 0;
  private failed = false;

  /** `sink` gets every result in stream order; it must not throw. */
  constructor(
    private readonly sink: (result: EslReadResult) => void,
    limits: EslFrameLimits = {},
  ) {
    this.maxHeaderBlockBytes = limits.maxHeaderBlockBytes ?? MAX_HEADER_BLOCK_BYTES;
    this.maxContentLength = limits.maxContentLength ?? MAX_CONTENT_LENGTH;
  }

  /** Bytes of an incomplete frame held back (0 between frames). */
  get pendingBytes(): number {
    return this.partsBytes;
  }

  /** Frames read so far, valid or not: lets a caller tell an old incomplete frame from a new one. */
  get framesRead(): number {
    return this.frames;
  }

  /** True after a fault (or stop()): input is ignored from then on. */
  get stopped(): boolean {
    return this.failed;
  }

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    if (this.partsBytes === 0) {
      this.parse(chunk);
      return;
    }
    this.parts.push(chunk);
    this.partsBytes += chunk.length;
    if (this.head) {
      if (this.partsBytes >= this.head.frameLength) this.parse(this.takeHeld());
      return;
    }
    // Still inside a header block: look for its end in the new bytes only (and across the seam).
    const ended = (this.heldEndsWithLf && chunk[0] === LF) || chunk.indexOf(BLANK_LINE) >= 0;
    this.heldEndsWithLf = chunk[chunk.length - 1] === LF;
    if (ended) this.parse(this.takeHeld());
    else if (this.partsBytes > this.maxHeaderBlockBytes) this.fail(`no end of header block within ${this.maxHeaderBlockBytes} bytes`);
  }

  /**
   * The stream ended. Returns a description of the incomplete frame it ended inside (a truncated
   * event, a Content-Length larger than what followed), or undefined when it ended between frames.
   */
  end(): string | undefined {
    const held = this.partsBytes;
    this.stop();
    if (held === 0) return undefined;
    return `the connection ended inside a frame (${held} bytes of an incomplete frame: a truncated message or a Content-Length larger than what was sent)`;
  }

  /** Drops what is held and ignores further input. */
  stop(): void {
    this.failed = true;
    this.parts = [];
    this.partsBytes = 0;
    this.head = undefined;
  }

  private parse(buffer: Buffer): void {
    let offset = 0;
    while (!this.failed) {
      let head = this.head;
      if (!head) {
        // FreeSWITCH skips blank lines before a command; do the same before a frame.
        while (offset < buffer.length && buffer[offset] === LF) offset++;
        if (offset >= buffer.length) {
          this.hold(undefined, 0);
          return;
        }
        const blank = buffer.indexOf(BLANK_LINE, offset);
        if (blank < 0 || blank - offset > this.maxHeaderBlockBytes) {
          if (blank >= 0 || buffer.length - offset > this.maxHeaderBlockBytes) {
            this.fail(`no end of header block within ${this.maxHeaderBlockBytes} bytes`);
          } else {
            this.hold(buffer, offset);
          }
          return;
        }
        head = this.readHead(buffer, offset, blank);
        if (!head) return;
      }
      const frameEnd = offset + head.frameLength;
      if (frameEnd > buffer.length) {
        this.head = head;
        this.hold(buffer, offset);
        return;
      }
      this.head = undefined;
      this.frames++;
      this.emitFrame(head, buffer.subarray(offset, frameEnd));
      offset = frameEnd;
    }
  }

  private readHead(buffer: Buffer, start: number, blank: number): FrameHead | undefined {
    const headers = newHeaderMap();
    let problem = readHeaderLines(buffer.toString('utf8', start, blank), headers);
    let bodyLength = 0;
    const length = headers['Content-Length'];
    if (length !== undefined) {
      // Without a trustworthy length there is no telling where the next frame starts.
      if (!BYTE_COUNT.test(length)) return this.fail(`Content-Length ${preview(length)} is not a byte count`);
      bodyLength = Number(length);
      if (bodyLength > this.maxContentLength) return this.fail(`Content-Length ${bodyLength} is over the ${this.maxContentLength}-byte limit`);
    }
    if (!problem && !headers['Content-Type']) problem = 'no Content-Type header';
    const bodyStart = blank + 2 - start;
    return { headers, problem, bodyStart, frameLength: bodyStart + bodyLength };
  }

  private emitFrame(head: FrameHead, raw: Buffer): void {
    const contentType = head.headers['Content-Type'];
    const body = head.frameLength > head.bodyStart ? raw.subarray(head.bodyStart) : undefined;
    let event: EslEvent | string | undefined;
    if (!head.problem) {
      if (contentType === 'text/event-json') event = parseJsonEvent(body);
      else if (contentType === 'text/event-plain') event = parsePlainEvent(body);
      else if (contentType === 'text/event-xml') event = parseXmlEvent(body);
    }
    const problem = head.problem ?? (typeof event === 'string' ? event : undefined);
    if (problem !== undefined || contentType === undefined || typeof event === 'string') {
      this.sink({ kind: 'invalid', reason: problem ?? 'no Content-Type header', contentType, bytes: raw.length, preview: preview(raw) });
      return;
    }
    this.sink({ kind: 'frame', frame: { contentType, headers: head.headers, body, raw, event } });
  }

  /** Keeps buffer[offset..] as the start of an incomplete frame (or nothing). */
  private hold(buffer: Buffer | undefined, offset: number): void {
    if (!buffer) {
      this.parts = [];
      this.partsBytes = 0;
      this.heldEndsWithLf = false;
      return;
    }
    const rest = offset === 0 ? buffer : buffer.subarray(offset);
    this.parts = [rest];
    this.partsBytes = rest.length;
    this.heldEndsWithLf = rest[rest.length - 1] === LF;
  }

  private takeHeld(): Buffer {
    const buffer = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsBytes);
    this.parts = [];
    this.partsBytes = 0;
    return buffer;
  }

  private fail(reason: string): undefined {
    this.stop();
    this.sink({ kind: 'fault', reason });
    return undefined;
  }
}
