/**
 * Splits the client→server byte stream into commands exactly as mod_event_socket's read_packet:
 * leading blank lines are skipped, `\r` is tolerated (only LF counts toward the terminating blank
 * line), the first line is the command, `Name: value` lines become headers, and a
 * `Content-Length` header (any case) makes the next N bytes the body.
 */
export interface EslCommand {
  /** The first line, without its line ending. */
  readonly command: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
}

/** Header lookup the way switch_event_get_header does it: case-insensitive, first match. */
export function commandHeader(command: EslCommand, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of command.headers) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** A body larger than this makes FreeSWITCH drop the connection (MAX_CONTENT_LENGTH, 16 MiB). */
export const MAX_CONTENT_LENGTH = 16 * 1024 * 1024;
/** read_packet stops at 10 MiB of header bytes and parses what it has. */
const MAX_HEAD_LENGTH = 10 * 1024 * 1024;

export class CommandStreamError extends Error {}

export class EslCommandParser {
  private pending: Buffer = Buffer.alloc(0);
  private scan = 0;
  private headStart = -1;
  private newlines = 0;
  private bodyNeeded = -1;
  private bodyStart = 0;
  private parsedHead: { command: string; headers: Array<[string, string]> } | undefined;

  /** Feeds bytes; returns every command completed by them. Throws CommandStreamError on abuse. */
  push(chunk: Buffer): EslCommand[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: EslCommand[] = [];
    for (;;) {
      if (this.bodyNeeded >= 0) {
        if (this.pending.length - this.bodyStart < this.bodyNeeded) break;
        const body = this.pending.toString('utf8', this.bodyStart, this.bodyStart + this.bodyNeeded);
        const head = this.parsedHead!;
        out.push({ command: head.command, headers: head.headers, body });
        this.consume(this.bodyStart + this.bodyNeeded);
        continue;
      }
      const end = this.scanHead();
      if (end < 0) break;
      const head = parseHead(this.pending.toString('utf8', this.headStart, end));
      const lengthHeader = head.headers.find(([name]) => name.toLowerCase() === 'content-length');
      const length = lengthHeader ? Number.parseInt(lengthHeader[1], 10) : 0;
      if (length > MAX_CONTENT_LENGTH) throw new CommandStreamError(`command body of ${length} bytes is over the 16 MiB limit`);
      if (length > 0) {
        this.parsedHead = head;
        this.bodyNeeded = length;
        this.bodyStart = end;
        continue;
      }
      out.push(head);
      this.consume(end);
    }
    return out;
  }

  /** Returns the end (exclusive) of a complete header block, or -1 if more bytes are needed. */
  private scanHead(): number {
    const buf = this.pending;
    while (this.scan < buf.length) {
      const b = buf[this.scan];
      if (this.headStart < 0) {
        // Blank lines before a command are ignored.
        if (b === 0x0a || b === 0x0d) {
          this.scan++;
          continue;
        }
        this.headStart = this.scan;
      }
      if (b === 0x0a) this.newlines++;
      else if (b !== 0x0d) this.newlines = 0;
      this.scan++;
      if (this.newlines === 2 || this.scan - this.headStart >= MAX_HEAD_LENGTH) return this.scan;
    }
    if (this.headStart < 0) {
      // Nothing but line endings so far: drop them.
      this.pending = Buffer.alloc(0);
      this.scan = 0;
    }
    return -1;
  }

  private consume(upTo: number): void {
    this.pending = this.pending.subarray(upTo);
    this.scan = 0;
    this.headStart = -1;
    this.newlines = 0;
    this.bodyNeeded = -1;
    this.bodyStart = 0;
    this.parsedHead = undefined;
  }
}

function parseHead(text: string): { command: string; headers: Array<[string, string]> } {
  const lines = text.split(/\r?\n|\r/);
  const command = lines[0] ?? '';
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    headers.push([line.slice(0, colon), line.slice(colon + 1).replace(/^ +/, '')]);
  }
  return { command, headers };
}
