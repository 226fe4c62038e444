/**
 * Sits between the TCP socket to FreeSWITCH and modesl, which is fragile on bad input (a stray
 * `%` throws inside its data handler, a Content-Length larger than what follows makes it wait
 * forever). modesl is given this Duplex as its socket:
 *   - writes go straight to the socket (the writes of one tick leave in one segment);
 *   - reads go through EslFrameReader: every valid frame is emitted as `frame`, in wire order, and
 *     the frames modesl's command side needs (auth/request, command/reply, api/response) are then
 *     pushed to modesl whole, one frame per chunk. Events and notices are not given to modesl: the
 *     connection takes them from `frame`, so each event is parsed once, by us;
 *   - an invalid but delimited frame is dropped with a warning (the stream resynchronises on the
 *     next frame), except a reply: dropping one would pair every later reply with the wrong
 *     command, so that resets the connection;
 *   - a structural fault (header block too long, absurd Content-Length, a frame still incomplete
 *     after `frameStallMs`) resets the connection: the socket is destroyed, `fault` says why.
 *
 * Listen with `guard.on('frame', (frame: EslFrame) => ...)`.
 *
 * Order: modesl's Parser is a synchronous, never-paused 'data' listener, and the socket is only
 * read once it listens (first _read), so push() hands each frame over before the next one is
 * read; `frame` events and modesl's replies therefore keep the order they had on the wire.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Logger, VapiError } from '@vapi-cn/sdk-plugin-api';
import { EslFrameReader, type EslFrame, type EslFrameLimits, type EslReadResult } from './esl-frame-reader.js';
import { protocolError } from './esl-errors.js';

export const DEFAULT_FRAME_STALL_MS = 2000;

/** What modesl consumes: its auth handshake and the replies it pairs FIFO with commands. */
const MODESL_CONTENT_TYPES: ReadonlySet<string> = new Set(['auth/request', 'command/reply', 'api/response']);

/** Invalid frames logged one by one before the log thins out to one line per this many. */
const INVALID_FRAMES_LOGGED = 20;
const INVALID_FRAMES_LOG_EVERY = 100;

export interface EslFrameGuardOptions {
  log: Logger;
  /** A frame still incomplete after this long means the stream is out of sync: reset. */
  frameStallMs?: number;
  limits?: EslFrameLimits;
}

export class EslFrameGuard extends Duplex {
  /** Set when the guard reset the connection (or the stream ended inside a frame). */
  fault: VapiError | undefined;
  /** The socket's error, if it had one. */
  socketError: Error | undefined;
  /** True once FreeSWITCH ended the stream. */
  remoteEnded = false;
  private readonly log: Logger;
  private readonly frameStallMs: number;
  private readonly reader: EslFrameReader;
  private reading = false;
  private stallTimer: NodeJS.Timeout | undefined;
  /** framesRead when the current incomplete frame began, and when that was. */
  private stallFrame = -1;
  private stallSince = 0;
  private invalidFrames = 0;
  private corked = false;

  constructor(
    readonly socket: Socket,
    options: EslFrameGuardOptions,
  ) {
    // Strings from modesl go to the socket as they are; the guard closes when the socket does.
    super({ decodeStrings: false, allowHalfOpen: true, autoDestroy: false });
    this.log = options.log;
    const stallMs = options.frameStallMs ?? DEFAULT_FRAME_STALL_MS;
    this.frameStallMs = Number.isFinite(stallMs) && stallMs > 0 ? stallMs : DEFAULT_FRAME_STALL_MS;
    this.reader = new EslFrameReader(this.onRead, options.limits);
    // Commands (barge-in's uuid_break...) are latency-critical and corked per tick: no Nagle.
    socket.setNoDelay(true);
    socket.on('end', this.onSocketEnd);
    socket.on('error', (err) => {
      this.socketError ??= err;
    });
    socket.on('close', () => this.destroy());
    // Writes after end and the like must never become an unhandled 'error'.
    this.on('error', (err) => this.log.debug({ err: err.message }, 'ESL guard stream error'));
  }

  /** Why the connection ended, as a close reason. */
  get closeReason(): string {
    if (this.fault) return `${this.fault.code}: ${this.fault.message}`;
    if (this.socketError) return `socket error: ${(this.socketError as NodeJS.ErrnoException).code ?? this.socketError.message}`;
    if (this.remoteEnded) return 'FreeSWITCH closed the connection';
    return 'the connection was closed';
  }

  override _read(): void {
    // Read the socket only once modesl listens, so that no frame waits in a buffer.
    if (this.reading) return;
    this.reading = true;
    this.socket.on('data', this.onData);
  }

  override _write(chunk: string | Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const socket = this.socket;
    // A command written while the connection goes away is rejected by the close, not here.
    if (socket.destroyed || !socket.writable) return callback();
    if (!this.corked) {
      // modesl writes a command line by line: send what one tick wrote in one segment.
      this.corked = true;
      socket.cork();
      process.nextTick(this.flushCorked);
    }
    if (socket.write(chunk, encoding)) callback();
    else socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.socket.destroyed) this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.clearStallTimer();
    this.reader.stop();
    this.socket.destroy();
    callback(error);
  }

  private readonly flushCorked = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private readonly onData = (chunk: Buffer): void => {
    this.reader.push(chunk);
    this.watchForStall();
  };

  private readonly onSocketEnd = (): void => {
    this.remoteEnded = true;
    const truncated = this.reader.end();
    this.clearStallTimer();
    if (truncated && !this.fault) {
      this.fault = protocolError(truncated);
      this.log.warn({ code: this.fault.code }, `ESL: ${truncated}`);
    }
    this.push(null);
  };

  private readonly onRead = (result: EslReadResult): void => {
    if (this.destroyed) return;
    if (result.kind === 'fault') {
      this.reset(`unreadable Event Socket stream: ${result.reason}`);
    } else if (result.kind === 'invalid') {
      if (result.contentType !== undefined && MODESL_CONTENT_TYPES.has(result.contentType)) {
        this.reset(`unreadable ${result.contentType} (${result.reason}); dropping it would pair later replies with the wrong commands`);
        return;
      }
      this.invalidFrames++;
      if (this.invalidFrames <= INVALID_FRAMES_LOGGED || this.invalidFrames % INVALID_FRAMES_LOG_EVERY === 0) {
        this.log.warn(
          { code: 'VAPI_ERR_ESL_PROTOCOL', reason: result.reason, contentType: result.contentType, bytes: result.bytes, preview: result.preview, invalidFrames: this.invalidFrames },
          'ESL: dropped an invalid frame',
        );
      }
    } else {
      this.handOver(result.frame);
    }
  };

  private handOver(frame: EslFrame): void {
    this.emit('frame', frame);
    if (this.destroyed || !MODESL_CONTENT_TYPES.has(frame.contentType)) return;
    try {
      this.push(frame.raw);
    } catch (err) {
      // Validated frames should never make modesl throw; if one does, its state is unknown.
      this.reset(`modesl failed on a ${frame.contentType} frame: ${(err as Error).message}`);
    }
  }

  /** Arms the stall timer while an incomplete frame is held; a new frame restarts the clock. */
  private watchForStall(): void {
    if (this.reader.pendingBytes === 0 || this.destroyed) {
      this.clearStallTimer();
      return;
    }
    if (this.reader.framesRead !== this.stallFrame) {
      this.stallFrame = this.reader.framesRead;
      this.stallSince = Date.now();
    }
    if (!this.stallTimer) this.armStallTimer(this.frameStallMs);
  }

  private armStallTimer(ms: number): void {
    this.stallTimer = setTimeout(this.onStallTimer, ms);
    this.stallTimer.unref();
  }

  private readonly onStallTimer = (): void => {
    this.stallTimer = undefined;
    const held = this.reader.pendingBytes;
    if (held === 0 || this.destroyed) return;
    const waited = Date.now() - this.stallSince;
    if (waited < this.frameStallMs) {
      this.armStallTimer(this.frameStallMs - waited);
      return;
    }
    this.reset(
      `a frame has been incomplete for ${waited} ms (${held} bytes held): its Content-Length is larger than what was sent, or it was truncated`,
    );
  };

  private clearStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  /** Gives up on the stream: destroys the socket; the connection closes with `fault` as its reason. */
  private reset(problem: string): void {
    if (this.fault && this.destroyed) return;
    this.fault ??= protocolError(problem);
    this.log.error({ code: this.fault.code, reason: this.fault.message }, 'ESL stream out of sync: resetting the connection');
    this.destroy();
  }
}
