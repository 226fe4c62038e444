/**
 * Test helpers for the Event Socket layer: the real FreeSWITCH captures in ./captures, a
 * description of frames in the format of captures/frames/*.esl_frames.txt, and a scripted
 * FreeSWITCH that answers a client's commands with the recorded bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net, { type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { captureLogger, type CapturedLog } from '@vapi-cn/sdk-plugin-api/testkit';
import type { Logger } from '@vapi-cn/sdk-plugin-api';
import { connectInbound } from '../../src/esl/connect-inbound.js';
import type { EslFrame } from '../../src/esl/esl-frame-reader.js';

export const CAPTURES = fileURLToPath(new URL('../../../../test/fixtures/freeswitch/', import.meta.url));

export interface TestLike {
  teardown(fn: () => unknown): void;
}

/** Every session with an ESL frames file. */
export function captureNames(): string[] {
  return readdirSync(`${CAPTURES}frames`)
    .filter((file) => file.endsWith('.esl_frames.txt'))
    .map((file) => file.replace('.esl_frames.txt', ''))
    .sort();
}

export function readFs2App(name: string): Buffer {
  return readFileSync(`${CAPTURES}${name}.fs2app.raw`);
}

export function readFramesFile(name: string): string {
  return readFileSync(`${CAPTURES}frames/${name}.esl_frames.txt`, 'utf8');
}

/** One frame as captures/frames/*.esl_frames.txt writes it. */
export function describeFrame(frame: EslFrame): string {
  const type = frame.contentType;
  const bodyText = frame.body ? JSON.stringify(frame.body.toString('utf8').slice(0, 60)) : undefined;
  if (frame.event) {
    const event = frame.event;
    let text = `${type} ${event.name === 'CUSTOM' ? `CUSTOM(${event.subclass})` : event.name}`;
    if (event.name === 'CHANNEL_EXECUTE' || event.name === 'CHANNEL_EXECUTE_COMPLETE') text += ` app=${event.headers.Application}`;
    if (event.name === 'DTMF') text += ` digit=${event.headers['DTMF-Digit']}`;
    return text;
  }
  if (type === 'command/reply') return `${type} ${frame.headers['Reply-Text']}`;
  if (type === 'auth/request') return type;
  return bodyText === undefined ? type : `${type} ${bodyText}`;
}

/** A small seeded PRNG (mulberry32), so a failing chunking can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `data` into chunks of 1..maxChunk bytes. */
export function chunkRandomly(data: Buffer, random: () => number, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

export function testLogger(): { log: Logger; logs: CapturedLog[] } {
  const logs: CapturedLog[] = [];
  return { log: captureLogger(logs), logs };
}

// ---------------------------------------------------------------------------------------------
// A scripted FreeSWITCH

export interface ScriptStep {
  /** The command the recorded client sent (without its terminating blank line). */
  readonly command: string;
  /** What FreeSWITCH sent after it, up to the next command, chunk by chunk. */
  response: Buffer[];
}

export interface Script {
  /** What FreeSWITCH sent before the first command (auth/request in inbound mode). */
  readonly banner: Buffer[];
  readonly steps: ScriptStep[];
}

/** A capture's chunks.jsonl as a script: each command and what FreeSWITCH answered. */
export function loadScript(name: string): Script {
  const banner: Buffer[] = [];
  const steps: ScriptStep[] = [];
  let pendingCommand = '';
  for (const line of readFileSync(`${CAPTURES}${name}.chunks.jsonl`, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const chunk = JSON.parse(line) as { dir?: string; b64?: string };
    if (!chunk.b64) continue; // an annotation
    const bytes = Buffer.from(chunk.b64, 'base64');
    if (chunk.dir === 'APP->FS') {
      pendingCommand += bytes.toString('latin1');
      let end: number;
      while ((end = pendingCommand.indexOf('\n\n')) >= 0) {
        steps.push({ command: pendingCommand.slice(0, end), response: [] });
        pendingCommand = pendingCommand.slice(end + 2);
      }
    } else {
      (steps.at(-1)?.response ?? banner).push(bytes);
    }
  }
  return { banner, steps };
}

/** The response FreeSWITCH recorded for the first command of `script` equal to `command`. */
export function recordedReply(script: Script, command: string): Buffer {
  const step = script.steps.find((s) => s.command === command);
  if (!step) throw new Error(`no recorded command '${command}'`);
  return Buffer.concat(step.response);
}

function headerOf(command: string, name: string): string | undefined {
  for (const line of command.split('\n').slice(1)) {
    const separator = line.indexOf(': ');
    if (separator > 0 && line.slice(0, separator).toLowerCase() === name.toLowerCase()) return line.slice(separator + 2);
  }
  return undefined;
}

/** Commands compare without the ids each client makes up (Job-UUID, Event-UUID). */
function normalizeCommand(command: string): string {
  const [first = '', ...headers] = command.split('\n');
  const kept = headers.filter((line) => line && !/^(event-uuid|job-uuid):/i.test(line)).sort();
  return [first.trim(), ...kept].join('\n');
}

export interface PlayerOptions {
  /** Answers to commands the recording does not have (e.g. modesl's own subscription), by exact command. */
  extras?: Record<string, Buffer>;
  /** End the socket after answering the last recorded command, as FreeSWITCH did. Default true. */
  closeAtEnd?: boolean;
  /** Keep the socket open when the client ends its side (a FreeSWITCH that ignores `exit`). */
  allowHalfOpen?: boolean;
  /** Called for each received command; may write its own answer and return true to skip the script. */
  intercept?: (command: string, socket: Socket) => boolean;
}

const COMMAND_NOT_FOUND = Buffer.from('Content-Type: command/reply\nReply-Text: -ERR command not found\n\n');

/**
 * Plays a script on one socket: each client command is matched with the next recorded command
 * that equals it (recorded commands the client skips are skipped), and answered with the bytes
 * FreeSWITCH sent then. Ids FreeSWITCH made up are replaced by the client's own (a Job-UUID, an
 * Event-UUID that becomes Application-UUID): same length, so every Content-Length still holds.
 */
export class ScriptPlayer {
  readonly received: string[] = [];
  readonly unexpected: string[] = [];
  private readonly steps: ScriptStep[];
  private cursor = 0;
  private pending = '';

  constructor(
    readonly socket: Socket,
    script: Script,
    private readonly options: PlayerOptions = {},
  ) {
    this.steps = script.steps.map((step) => ({ command: step.command, response: [...step.response] }));
    socket.on('error', () => {});
    socket.on('data', (data: Buffer) => this.onData(data));
    for (const chunk of script.banner) socket.write(chunk);
  }

  private onData(data: Buffer): void {
    this.pending += data.toString('latin1');
    let end: number;
    while ((end = this.pending.indexOf('\n\n')) >= 0) {
      const command = this.pending.slice(0, end).replace(/^\n+/, '');
      this.pending = this.pending.slice(end + 2);
      if (command) this.answer(command);
    }
  }

  private answer(command: string): void {
    this.received.push(command);
    if (this.options.intercept?.(command, this.socket)) return;
    const wanted = normalizeCommand(command);
    const index = this.steps.findIndex((step, i) => i >= this.cursor && normalizeCommand(step.command) === wanted);
    if (index < 0) {
      const extra = this.options.extras?.[command];
      if (extra) this.socket.write(extra);
      else {
        this.unexpected.push(command);
        this.socket.write(COMMAND_NOT_FOUND);
      }
      return;
    }
    this.cursor = index + 1;
    const step = this.steps[index]!;
    this.adoptClientId(step, headerOf(command, 'Job-UUID'), /Job-UUID: ([0-9a-f-]{36})/);
    this.adoptClientId(step, headerOf(command, 'Event-UUID'), /Application-UUID(?:": ?"|: )([0-9a-f-]{36})/);
    for (const chunk of step.response) this.socket.write(chunk);
    if (index === this.steps.length - 1 && this.options.closeAtEnd !== false) this.socket.end();
  }

  private adoptClientId(step: ScriptStep, clientId: string | undefined, pattern: RegExp): void {
    if (!clientId) return;
    const recorded = pattern.exec(Buffer.concat(step.response).toString('latin1'))?.[1];
    if (!recorded || recorded === clientId) return;
    if (recorded.length !== clientId.length) throw new Error(`cannot swap ${recorded} for ${clientId}: lengths differ`);
    for (const later of this.steps.slice(this.steps.indexOf(step))) {
      later.response = later.response.map((chunk) => Buffer.from(chunk.toString('latin1').replaceAll(recorded, clientId), 'latin1'));
    }
  }
}

/** A TCP server on 127.0.0.1 that plays `script` to every client (inbound mode). */
export async function scriptedServer(t: TestLike, script: Script, options: PlayerOptions = {}) {
  const players: ScriptPlayer[] = [];
  const server = net.createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) => players.push(new ScriptPlayer(socket, script, options)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const player of players) player.socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, players };
}

/** FreeSWITCH's side of an outbound socket: connects to `port` and plays `script`. */
export function scriptedOutboundCall(t: TestLike, port: number, script: Script, options: PlayerOptions = {}): ScriptPlayer {
  const socket = net.connect({ host: '127.0.0.1', port });
  t.teardown(() => socket.destroy());
  return new ScriptPlayer(socket, script, options);
}

/** Resolves with the first value `take` returns for an emitted event (or rejects after `ms`). */
export function waitFor<T>(subscribe: (listener: (...args: any[]) => void) => void, take: (...args: any[]) => T | undefined, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
    subscribe((...args: unknown[]) => {
      const value = take(...args);
      if (value !== undefined) {
        clearTimeout(timer);
        resolve(value);
      }
    });
  });
}

/** Records uncaught exceptions while a test runs (and keeps them from killing the runner). */
export function watchUncaught(t: TestLike): Error[] {
  const seen: Error[] = [];
  const listener = (err: Error) => seen.push(err);
  process.on('uncaughtException', listener);
  t.teardown(() => {
    process.off('uncaughtException', listener);
  });
  return seen;
}

/** modesl subscribes to these by itself (after auth inbound, after `connect` outbound). */
export const MODESL_SUBSCRIPTION = 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE';

export const apiResponse = (body: string) => `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;

/**
 * An inbound FreeSWITCH that answers auth and modesl's subscription with recorded bytes, then
 * hands every other command to `onCommand`.
 */
export async function commandServer(t: TestLike, onCommand: (command: string, socket: Socket) => void, allowHalfOpen = false) {
  const basic = loadScript('esl_inbound_basic');
  return scriptedServer(t, { banner: basic.banner, steps: basic.steps.slice(0, 1) }, {
    allowHalfOpen,
    extras: { [MODESL_SUBSCRIPTION]: recordedReply(basic, 'event json BACKGROUND_JOB') },
    closeAtEnd: false,
    intercept: (command, socket) => {
      if (command === 'auth ClueCon' || command === MODESL_SUBSCRIPTION) return false;
      onCommand(command, socket);
      return true;
    },
  });
}

/** connectInbound to 127.0.0.1:port with the captures' password; closed at teardown. */
export async function connectTo(t: TestLike, port: number, password = 'ClueCon', options: { frameStallMs?: number } = {}) {
  const { log, logs } = testLogger();
  const connection = await connectInbound({ host: '127.0.0.1', port, password, connectTimeoutMs: 3000, ...options }, log);
  t.teardown(() => connection.close());
  return { connection, logs };
}
