/** A real server (engine, fake providers, this transport) wired to the FreeSWITCH emulator. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreRefs, rms, sineWave, transportRefs } from '@vapi-cn/sdk-plugin-api';
import { startKernel, testConfig } from '../../../core/test/helpers.js';
import { FreeSwitchEmulator, type EmulatedCall } from '../../../test/freeswitch-emulator/index.js';
import type { FreeswitchTransport } from '../src/index.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const plugin = (id: string) => ({ from: path.join(REPO, 'plugins', id) });

interface Teardown {
  teardown(fn: () => unknown): void;
}

export const PASSWORD = 'ClueCon';

export async function startWithFreeswitch(t: Teardown, options: Record<string, unknown> = {}, config: { plugins?: Record<string, unknown>; top?: Record<string, unknown>; assistant?: Record<string, unknown> } = {}) {
  const fs = await FreeSwitchEmulator.start({ password: PASSWORD });
  t.teardown(() => fs.stop());
  const playbackDir = await mkdtemp(path.join(tmpdir(), 'vapi-fs-playback-'));
  t.teardown(() => rm(playbackDir, { recursive: true, force: true }));
  const { kernel, logs } = await startKernel(
    t,
    testConfig({
      plugins: {
        'stage-vad-webrtc': plugin('stage-vad-webrtc'),
        'stage-resample-speex': plugin('stage-resample-speex'),
        'stage-pacer': plugin('stage-pacer'),
        'fake-providers': {},
        ...Object.fromEntries(Object.entries(config.plugins ?? {}).map(([id, entry]) => [id, { ...plugin(id), ...(entry as object) }])),
        'transport-freeswitch': {
          ...plugin('transport-freeswitch'),
          options: {
            nodes: [{ name: 'fs1', host: '127.0.0.1', port: fs.eslPort, password: PASSWORD }],
            playback: { dir: playbackDir },
            reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
            ...options,
          },
        },
      },
      ...(config.top ?? {}),
    }),
  );
  const store = kernel.resolve(coreRefs.store);
  await store.assistants.create({
    id: 'demo',
    name: 'Demo',
    config: {
      firstMessageMode: 'assistant-first',
      firstMessage: 'Welcome to the demo line.',
      stt: { provider: 'fake' },
      llm: { provider: 'fake' },
      tts: { provider: 'fake' },
      vad: { minSpeechMs: 100, minSilenceMs: 200 },
      ...(config.assistant ?? {}),
    },
  });
  const transport = kernel.container.collection(transportRefs.transports).get('freeswitch') as FreeswitchTransport;
  return { fs, kernel, logs, store, transport, playbackDir };
}

/** 8 kHz speech stand-in: a 300 Hz tone, loud enough for the VAD. */
export const speech = (ms: number) => sineWave(300, 8000, ms, 0.4);

/** RMS of what the caller heard between two times (ms since answer). */
export function heardRms(call: EmulatedCall, fromMs: number, toMs: number): number {
  const track = call.farEnd();
  const slice = track.subarray(Math.floor(fromMs * 8), Math.min(track.length, Math.floor(toMs * 8)));
  return slice.length === 0 ? 0 : rms(slice);
}

export async function until(predicate: () => boolean | Promise<boolean>, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The call record once it has ended. */
export async function ended(store: { calls: { get(id: string): Promise<unknown> } }, id: string): Promise<Record<string, unknown>> {
  let record: Record<string, unknown> | undefined;
  await until(async () => {
    record = (await store.calls.get(id)) as Record<string, unknown> | undefined;
    return record?.status === 'ended';
  }, `call ${id} to end`);
  return record!;
}

/** A JSON client for the server's REST API (auth is off in test configs). */
export function restClient(base: string) {
  return async (path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Records the lines of the captured log whose message matches. */
export function logLines(logs: { lines: Array<Record<string, unknown>> }, msg: RegExp): Array<Record<string, unknown>> {
  return logs.lines.filter((line) => typeof line.msg === 'string' && msg.test(line.msg));
}
