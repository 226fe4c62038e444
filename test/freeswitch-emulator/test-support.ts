/** Helpers shared by the emulator's own tests: a raw ESL client, capture loading, audio maths. */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

// ------------------------------------------------------------------ captures

export interface CaptureChunk {
  dir: 'APP->FS' | 'FS->APP';
  bytes: Buffer;
}

export interface Capture {
  chunks: CaptureChunk[];
  /** Every APP->FS chunk, in order. */
  app2fs: Buffer[];
  /** The whole FS->APP stream. */
  fs2app: Buffer;
}

export function loadCapture(name: string): Capture {
  const text = readFileSync(new URL(`../fixtures/freeswitch/${name}.chunks.jsonl`, import.meta.url), 'utf8');
  const chunks: CaptureChunk[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line) as { dir?: string; b64?: string };
    if (!entry.dir || entry.b64 === undefined) continue;
    chunks.push({ dir: entry.dir as CaptureChunk['dir'], bytes: Buffer.from(entry.b64, 'base64') });
  }
  return {
    chunks,
    app2fs: chunks.filter((c) => c.dir === 'APP->FS').map((c) => c.bytes),
    fs2app: Buffer.concat(chunks.filter((c) => c.dir === 'FS->APP').map((c) => c.bytes)),
  };
}

// ------------------------------------------------------------------ server→client frames

export interface Frame {
  headers: Array<[string, string]>;
  body?: Buffer;
  raw: Buffer;
}

export function header(frame: Frame, name: string): string | undefined {
  return frame.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

/** Splits a FreeSWITCH→app byte stream into frames (header block + Content-Length body). */
export class FrameStream {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) break;
      const headText = this.buffer.toString('utf8', 0, end);
      const headers = headText.split('\n').map((line): [string, string] => {
        const i = line.indexOf(': ');
        return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 2)];
      });
      const length = Number(headers.find(([n]) => n === 'Content-Length')?.[1] ?? 0);
      if (this.buffer.length < end + 2 + length) break;
      const body = length > 0 ? this.buffer.subarray(end + 2, end + 2 + length) : undefined;
      frames.push({ headers, body: body ? Buffer.from(body) : undefined, raw: Buffer.from(this.buffer.subarray(0, end + 2 + length)) });
      this.buffer = this.buffer.subarray(end + 2 + length);
    }
    return frames;
  }
}

export function parseFrames(bytes: Buffer): Frame[] {
  return new FrameStream().push(bytes);
}

/** The headers of a serialized event body (plain, json or xml), values decoded. */
export function eventHeaders(frame: Frame): Array<[string, string]> {
  const type = header(frame, 'Content-Type');
  const text = frame.body?.toString('utf8') ?? '';
  if (type === 'text/event-json') return jsonPairs(text);
  if (type === 'text/event-plain') {
    const end = text.indexOf('\n\n');
    return text.slice(0, end < 0 ? text.length : end).split('\n').map((line) => {
      const i = line.indexOf(': ');
      return [line.slice(0, i), decodeURIComponent(line.slice(i + 2))];
    });
  }
  if (type === 'text/event-xml') {
    return [...text.matchAll(/^ {4}<([^>]+)>(.*)<\/\1>$/gm)].map((m) => [m[1], decodeURIComponent(m[2])]);
  }
  return frame.headers;
}

/** A flat JSON object's key/value pairs in order, duplicates kept (JSON.parse would drop them). */
export function jsonPairs(text: string): Array<[string, string]> {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)":"((?:[^"\\]|\\.)*)"/g)].map((m) => [JSON.parse(`"${m[1]}"`), JSON.parse(`"${m[2]}"`)]);
}

/** The body carried inside a serialized event (json `_body`, the text after the blank line in plain). */
export function eventBody(frame: Frame): string | undefined {
  const type = header(frame, 'Content-Type');
  const text = frame.body?.toString('utf8') ?? '';
  if (type === 'text/event-json') return (JSON.parse(text) as Record<string, string>)._body;
  if (type === 'text/event-plain') {
    const end = text.indexOf('\n\n');
    return end >= 0 && end + 2 < text.length ? text.slice(end + 2) : undefined;
  }
  if (type === 'text/event-xml') return /<body>([\s\S]*?)(?: {2})?<\/body>/.exec(text)?.[1];
  return undefined;
}

export function eventHeader(frame: Frame, name: string): string | undefined {
  return eventHeaders(frame).find(([n]) => n === name)?.[1];
}

/** `text/event-json CHANNEL_EXECUTE` style summary of a frame, like frames/*.esl_frames.txt. */
export function describe(frame: Frame): string {
  const type = header(frame, 'Content-Type') ?? '?';
  if (type.startsWith('text/event-')) {
    const name = eventHeader(frame, 'Event-Name');
    const subclass = eventHeader(frame, 'Event-Subclass');
    return `${type} ${subclass ? `CUSTOM(${subclass})` : name}`;
  }
  if (type === 'command/reply') return `${type} ${header(frame, 'Reply-Text')?.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, '<uuid>')}`;
  return type;
}

// ------------------------------------------------------------------ a raw ESL client

/** A byte-level ESL client: what goes on the wire is exactly what the test writes. */
export class RawEslClient {
  readonly frames: Frame[] = [];
  readonly received: Buffer[] = [];
  readonly closed: Promise<void>;
  private readonly stream = new FrameStream();
  private readonly waiters = new Set<() => void>();
  private cursor = 0;
  isClosed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk);
      this.frames.push(...this.stream.push(chunk));
      for (const w of [...this.waiters]) w();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        for (const w of [...this.waiters]) w();
        resolve();
      });
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, socket?: net.Socket): Promise<RawEslClient> {
    if (socket) return Promise.resolve(new RawEslClient(socket));
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawEslClient(s)));
      s.once('error', reject);
    });
  }

  /** Connects and authenticates (reads auth/request, sends auth, expects +OK accepted). */
  static async login(port: number, password = 'ClueCon'): Promise<RawEslClient> {
    const client = await RawEslClient.connect(port);
    await client.next();
    const reply = await client.command(`auth ${password}`);
    if (header(reply, 'Reply-Text') !== '+OK accepted') throw new Error(`auth failed: ${header(reply, 'Reply-Text')}`);
    return client;
  }

  send(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** The next frame not consumed yet. */
  async next(timeoutMs = 3000): Promise<Frame> {
    await this.until(() => this.cursor < this.frames.length, timeoutMs, 'a frame');
    return this.frames[this.cursor++];
  }

  /** Consumes frames until one matches (the skipped ones stay in `frames`). */
  async nextMatching(predicate: (frame: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (predicate(frame)) return frame;
    }
  }

  /** Sends a command (a blank line is appended) and returns its command/reply or api/response; earlier frames are skipped. */
  async command(text: string, timeoutMs = 3000): Promise<Frame> {
    // Replies come in order: anything already received belongs to earlier commands or events.
    this.cursor = this.frames.length;
    this.send(`${text}\n\n`);
    return this.nextMatching((f) => ['command/reply', 'api/response'].includes(header(f, 'Content-Type') ?? ''), timeoutMs);
  }

  async api(text: string, timeoutMs = 3000): Promise<string> {
    const frame = await this.command(`api ${text}`, timeoutMs);
    return frame.body?.toString('utf8') ?? '';
  }

  /** Events received so far (consumed or not) with that Event-Name or subclass. */
  events(name?: string): Frame[] {
    return this.frames.filter((f) => (header(f, 'Content-Type') ?? '').startsWith('text/event-') &&
      (!name || eventHeader(f, 'Event-Name') === name || eventHeader(f, 'Event-Subclass') === name));
  }

  async event(name: string, timeoutMs = 3000, predicate: (f: Frame) => boolean = () => true): Promise<Frame> {
    let found: Frame | undefined;
    await this.until(() => {
      found = this.events(name).find(predicate);
      return found !== undefined;
    }, timeoutMs, `event ${name}`);
    return found!;
  }

  until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve();
        } else if (this.isClosed) {
          this.waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`socket closed while waiting for ${what}; got: ${this.frames.map(describe).join(' | ')}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got: ${this.frames.map(describe).join(' | ')}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A TCP listener for outbound ESL (FreeSWITCH dials it); resolves each accepted socket. */
export async function outboundListener(): Promise<{ port: number; server: net.Server; accept: (timeoutMs?: number) => Promise<RawEslClient> }> {
  const queue: net.Socket[] = [];
  const waiting: Array<(s: net.Socket) => void> = [];
  const server = net.createServer((socket) => {
    const w = waiting.shift();
    if (w) w(socket);
    else queue.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    server,
    accept: (timeoutMs = 3000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no outbound connection')), timeoutMs);
      const got = (socket: net.Socket) => {
        clearTimeout(timer);
        resolve(RawEslClient.connect(0, socket));
      };
      const s = queue.shift();
      if (s) got(s);
      else waiting.push(got);
    }),
  };
}

// ------------------------------------------------------------------ audio

export function tone(frequency: number, ms: number, rate = 8000, amplitude = 8000): Int16Array {
  const out = new Int16Array(Math.round((rate * ms) / 1000));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
  return out;
}

export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

export function s16le(bytes: Buffer): Int16Array {
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

// ------------------------------------------------------------------ a WebSocket app

export interface WsConnection {
  readonly socket: WebSocket;
  readonly url: string;
  readonly rawHeaders: string[];
  readonly texts: string[];
  readonly binaries: Array<{ at: number; data: Buffer }>;
  readonly closed: Promise<{ code: number; reason: string }>;
}

/** A small ws server standing in for the app's audio endpoint. */
export async function startWsApp(): Promise<{ url: string; port: number; connections: WsConnection[]; next: (timeoutMs?: number) => Promise<WsConnection>; close: () => Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const connections: WsConnection[] = [];
  const waiting: Array<(c: WsConnection) => void> = [];
  wss.on('connection', (socket, request) => {
    const texts: string[] = [];
    const binaries: Array<{ at: number; data: Buffer }> = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) binaries.push({ at: performance.now(), data: Buffer.from(data as Buffer) });
      else texts.push(data.toString());
    });
    const connection: WsConnection = { socket, url: request.url ?? '', rawHeaders: request.rawHeaders, texts, binaries, closed };
    connections.push(connection);
    const w = waiting.shift();
    if (w) w(connection);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  let taken = 0;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    connections,
    next: (timeoutMs = 3000) => new Promise((resolve, reject) => {
      if (connections.length > taken) {
        resolve(connections[taken++]);
        return;
      }
      const timer = setTimeout(() => reject(new Error('no WebSocket connection')), timeoutMs);
      waiting.push((c) => {
        clearTimeout(timer);
        taken++;
        resolve(c);
      });
    }),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function waitUntil(condition: () => boolean, timeoutMs = 3000, what = 'a condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const poll = () => {
      if (condition()) return resolve();
      if (Date.now() - start > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
