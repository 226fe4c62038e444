/** A real server with the engine, fake providers and this transport; a ws client that records what it gets. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { audioFrame, coreRefs, sineWave, type AudioFrame } from '@vapi-cn/sdk-plugin-api';
import { startKernel, testConfig } from '../../../core/test/helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const plugin = (id: string) => ({ from: path.join(REPO, 'plugins', id) });

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startServer(t: Teardown, options: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}, extraPlugins: Record<string, unknown> = {}) {
  const { kernel, logs } = await startKernel(
    t,
    testConfig({
      plugins: {
        'stage-vad-webrtc': plugin('stage-vad-webrtc'),
        'stage-resample-speex': plugin('stage-resample-speex'),
        'stage-pacer': plugin('stage-pacer'),
        'codec-opus': plugin('codec-opus'),
        'codec-g711': plugin('codec-g711'),
        'fake-providers': {},
        'transport-websocket': { ...plugin('transport-websocket'), options },
        ...Object.fromEntries(Object.entries(extraPlugins).map(([id, entry]) => [id, { ...plugin(id), ...(entry as object) }])),
      },
      ...overrides,
    }),
  );
  const store = kernel.resolve(coreRefs.store);
  await store.assistants.create({
    id: 'demo',
    name: 'Demo',
    config: { firstMessageMode: 'caller-first', stt: { provider: 'fake' }, llm: { provider: 'fake' }, tts: { provider: 'fake' }, vad: { minSpeechMs: 100, minSilenceMs: 200 } },
  });
  return { kernel, logs, store, wsUrl: kernel.url.replace(/^http/, 'ws') };
}

/** A client connection that keeps every JSON message and binary frame it receives. */
export class Client {
  readonly messages: Array<Record<string, unknown>> = [];
  readonly binary: Buffer[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly socket: WebSocket;
  private readonly open: Promise<void>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.socket = new WebSocket(url, options);
    this.open = new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('message', (data, isBinary) => {
      if (isBinary) this.binary.push(data as Buffer);
      else this.messages.push(JSON.parse(String(data)));
    });
    this.closed = new Promise((resolve) => this.socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  opened(): Promise<void> {
    return this.open;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first message matching, waiting up to `ms`. */
  async waitFor(match: (m: Record<string, unknown>) => boolean, ms = 8000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message within ${ms} ms; got ${JSON.stringify(this.messages).slice(0, 1500)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Plays `speechMs` of a 300 Hz tone then `silenceMs` of silence, 20 ms frames in real time. */
export async function speak(rate: number, speechMs: number, silenceMs: number, send: (frame: AudioFrame) => void): Promise<void> {
  const tone = sineWave(300, rate, speechMs, 0.4);
  const size = rate / 50;
  const silence = new Int16Array(size);
  const frames = Math.round((speechMs + silenceMs) / 20);
  for (let f = 0; f < frames; f++) {
    const samples = f < speechMs / 20 ? tone.slice(f * size, (f + 1) * size) : silence;
    send(audioFrame(samples, rate, f * 20));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const pcmBytes = (samples: Int16Array) => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);

/** The call record once it has ended. */
export async function waitForEnd(store: { calls: { get(id: string): Promise<unknown> } }, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 250; i++) {
    const record = (await store.calls.get(id)) as Record<string, unknown> | undefined;
    if (record?.status === 'ended') return record;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`call ${id} did not end`);
}
