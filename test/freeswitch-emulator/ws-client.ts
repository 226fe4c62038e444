import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';

/**
 * The WebSocket client side of mod_audio_stream, written on a raw socket so the upgrade request is
 * byte-for-byte what the module sends: `Name:value` headers without a space after the colon, an
 * Origin header, no subprotocol and no compression offer (see fixtures/freeswitch/frames/).
 * Client frames are masked, as RFC 6455 requires.
 */
export interface WsClientOptions {
  /** Extra upgrade headers (STREAM_EXTRA_HEADERS); sent after the standard ones, sorted by name. */
  headers?: Readonly<Record<string, string>>;
  connectTimeoutMs?: number;
  maxMessageBytes?: number;
}

export interface WsClientEvents {
  open: [];
  text: [text: string];
  binary: [data: Buffer];
  /** The connection is over. `initiatedByUs` tells a server-side close from our own stop/hangup. */
  close: [code: number, reason: string, initiatedByUs: boolean];
  /** Before `open`: the connection could not be made. After: an I/O or protocol failure. */
  error: [error: WsClientError];
}

export class WsClientError extends Error {
  /** mod_audio_stream error codes: 1 IO, 3 SERVER_MASKED, 6 CONNECT_FAILED, 10 TIMEOUT, 11 PROTOCOL. */
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONT = 0x0, OP_TEXT = 0x1, OP_BINARY = 0x2, OP_CLOSE = 0x8, OP_PING = 0x9, OP_PONG = 0xa;

const maskPool = Buffer.alloc(4096);
let maskOffset = maskPool.length;
function nextMask(): Buffer {
  if (maskOffset + 4 > maskPool.length) {
    randomFillSync(maskPool);
    maskOffset = 0;
  }
  const mask = maskPool.subarray(maskOffset, maskOffset + 4);
  maskOffset += 4;
  return mask;
}

export class WsClient extends EventEmitter<WsClientEvents> {
  state: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting';
  bytesSent = 0;
  private readonly socket: net.Socket;
  private handshakeBuffer: Buffer | undefined = Buffer.alloc(0) as Buffer;
  private frameBuffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private fragmentBytes = 0;
  private readonly key = randomBytes(16).toString('base64');
  private closeSentByUs = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private closeEmitted = false;
  private readonly maxMessageBytes: number;

  constructor(readonly url: string, private readonly options: WsClientOptions = {}) {
    super();
    this.maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
    const target = new URL(url);
    const secure = target.protocol === 'wss:';
    const port = Number(target.port || (secure ? 443 : 80));
    this.socket = secure
      ? tls.connect({ host: target.hostname, port, servername: target.hostname, rejectUnauthorized: false })
      : net.connect({ host: target.hostname, port });
    this.socket.setNoDelay(true);
    this.connectTimer = setTimeout(() => this.fail(new WsClientError(10, `no WebSocket handshake from ${target.host} within ${this.options.connectTimeoutMs ?? 5000} ms`)), this.options.connectTimeoutMs ?? 5000);
    this.connectTimer.unref();
    this.socket.once(secure ? 'secureConnect' : 'connect', () => this.sendUpgrade(target));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.fail(new WsClientError(this.state === 'connecting' ? 6 : 1, error.message)));
    this.socket.on('close', () => this.onSocketClosed());
  }

  sendText(text: string): void {
    this.sendFrame(OP_TEXT, Buffer.from(text, 'utf8'));
  }

  sendBinary(data: Buffer): void {
    this.sendFrame(OP_BINARY, data);
  }

  ping(payload = 'ping'): void {
    this.sendFrame(OP_PING, Buffer.from(payload));
  }

  /** Starts the closing handshake; the socket is dropped if the server does not answer in 1 s. */
  close(code = 1000, reason = 'Normal closure'): void {
    if (this.state === 'connecting') {
      this.closeSentByUs = true;
      this.destroy();
      return;
    }
    if (this.state !== 'open') return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.closeSentByUs = true;
    this.sendFrame(OP_CLOSE, payload);
    this.state = 'closing';
    this.closeTimer = setTimeout(() => this.destroy(), 1000);
    this.closeTimer.unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private sendUpgrade(target: URL): void {
    const hostHeader = target.host;
    const lines = [
      `GET ${target.pathname || '/'}${target.search} HTTP/1.1`,
      `Host:${hostHeader}`,
      'Upgrade:websocket',
      'Connection:upgrade',
      `Sec-WebSocket-Key:${this.key}`,
      'Sec-WebSocket-Version:13',
      `Origin:http://${hostHeader}`,
    ];
    const extra = this.options.headers ?? {};
    for (const name of Object.keys(extra).sort()) lines.push(`${name}:${extra[name]}`);
    this.socket.write(lines.join('\r\n') + '\r\n\r\n');
  }

  private onData(chunk: Buffer): void {
    if (this.handshakeBuffer) {
      this.handshakeBuffer = Buffer.concat([this.handshakeBuffer, chunk]);
      const end = this.handshakeBuffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.handshakeBuffer.length > 16384) this.fail(new WsClientError(6, 'oversized handshake response'));
        return;
      }
      const head = this.handshakeBuffer.toString('latin1', 0, end);
      const rest = this.handshakeBuffer.subarray(end + 4);
      this.handshakeBuffer = undefined;
      const problem = this.checkHandshake(head);
      if (problem) {
        this.fail(new WsClientError(6, problem));
        return;
      }
      clearTimeout(this.connectTimer);
      this.state = 'open';
      this.emit('open');
      if (rest.length) this.onFrames(rest);
      return;
    }
    this.onFrames(chunk);
  }

  private checkHandshake(head: string): string | undefined {
    const [status, ...lines] = head.split('\r\n');
    if (!/^HTTP\/1\.1 101\b/.test(status)) return `WebSocket upgrade refused: ${status}`;
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const expected = createHash('sha1').update(this.key + GUID).digest('base64');
    if (headers.get('upgrade')?.toLowerCase() !== 'websocket') return 'upgrade response without Upgrade: websocket';
    if (headers.get('sec-websocket-accept') !== expected) return 'bad Sec-WebSocket-Accept';
    return undefined;
  }

  private onFrames(chunk: Buffer): void {
    this.frameBuffer = this.frameBuffer.length ? Buffer.concat([this.frameBuffer, chunk]) : chunk;
    while (this.frameBuffer.length >= 2 && this.state !== 'closed') {
      const b0 = this.frameBuffer[0];
      const b1 = this.frameBuffer[1];
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.frameBuffer.length < 4) return;
        length = this.frameBuffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.frameBuffer.length < 10) return;
        const big = this.frameBuffer.readBigUInt64BE(2);
        if (big > BigInt(this.maxMessageBytes)) {
          this.protocolFailure(1009, 'message too big');
          return;
        }
        length = Number(big);
        offset = 10;
      }
      if (masked) {
        this.fail(new WsClientError(3, 'the server masked a frame'));
        return;
      }
      if (this.frameBuffer.length < offset + length) return;
      const payload = this.frameBuffer.subarray(offset, offset + length);
      this.frameBuffer = this.frameBuffer.subarray(offset + length);
      this.onFrame(fin, opcode, Buffer.from(payload));
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode >= 0x8) {
      if (opcode === OP_PING) this.sendFrame(OP_PONG, payload);
      else if (opcode === OP_CLOSE) this.onCloseFrame(payload);
      return;
    }
    if (opcode !== OP_CONT) {
      this.fragments = [];
      this.fragmentOpcode = opcode;
      this.fragmentBytes = 0;
    }
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > this.maxMessageBytes) {
      this.protocolFailure(1009, 'message too big');
      return;
    }
    if (!fin) return;
    const message = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments);
    this.fragments = [];
    if (this.fragmentOpcode === OP_TEXT) this.emit('text', message.toString('utf8'));
    else if (this.fragmentOpcode === OP_BINARY) this.emit('binary', message);
  }

  private onCloseFrame(payload: Buffer): void {
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    const reason = payload.length > 2 ? payload.toString('utf8', 2) : '';
    if (!this.closeSentByUs && this.state === 'open') {
      const echo = Buffer.alloc(2);
      echo.writeUInt16BE(code === 1005 ? 1000 : code, 0);
      this.sendFrame(OP_CLOSE, echo);
    }
    this.state = 'closed';
    this.emitClose(code, reason);
    this.socket.end();
  }

  private protocolFailure(code: number, reason: string): void {
    this.emit('error', new WsClientError(11, reason));
    this.close(code, reason);
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.state !== 'open') return;
    const length = payload.length;
    const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(headerLength + 4 + length);
    frame[0] = 0x80 | opcode;
    if (length < 126) {
      frame[1] = 0x80 | length;
    } else if (length < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const mask = nextMask();
    mask.copy(frame, headerLength);
    const body = headerLength + 4;
    for (let i = 0; i < length; i++) frame[body + i] = payload[i] ^ mask[i & 3];
    this.bytesSent += frame.length;
    this.socket.write(frame);
  }

  private fail(error: WsClientError): void {
    if (this.closeEmitted) return;
    clearTimeout(this.connectTimer);
    this.emit('error', error);
    this.socket.destroy();
  }

  private onSocketClosed(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.closeTimer);
    const wasOpen = this.state !== 'connecting';
    this.state = 'closed';
    if (wasOpen) this.emitClose(1006, '');
    else this.closeEmitted = true;
  }

  private emitClose(code: number, reason: string): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.emit('close', code, reason, this.closeSentByUs);
  }
}
