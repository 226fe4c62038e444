/**
 * Peers hosted in a media worker thread (`mediaWorkers`): the same werift client on 127.0.0.1 as
 * webrtc-peer.test.ts, talking to a WorkerPeer whose WebRtcPeer runs in the worker. Audio both
 * ways, bot audio sent ahead and paced by the worker, barge-in, a rejected offer, a worker that
 * dies mid-call, shutdown, and the plugin's option checks.
 */
import t, { type Test } from 'tap';
import { coreRefs, stageRefs, SystemClock, webrtcRefs, zeroCrossingFrequency, concatPcm, type AudioFrame, type RtcPeerState } from '@vapi-cn/sdk-plugin-api';
import { captureLogger, setupPlugin, type CapturedLog } from '@vapi-cn/sdk-plugin-api/testkit';
import { realtimePacerFactory } from '../../stage-pacer/src/index.js';
import webrtcPlugin from '../src/index.js';
import { MediaWorkers } from '../src/worker/media-workers.js';
import type { MediaWorkerSetup } from '../src/worker/protocol.js';
import type { WorkerPeer } from '../src/worker/worker-peer.js';
import { connect, opus, sendToneFromClient, tone440, waitFor } from './helpers.js';

const OUTPUT_RATE = 24000;
const OUTPUT_FRAME = 480;

function pool(t: Test, logs: CapturedLog[] = [], size = 1, setup: Partial<MediaWorkerSetup> = {}): MediaWorkers {
  const workers = new MediaWorkers({
    size,
    playoutBufferMs: 100,
    clock: new SystemClock(),
    log: captureLogger(logs),
    setup: {
      network: { bindAddress: '127.0.0.1', iceServers: [] },
      inputSampleRate: 16000,
      outputSampleRate: OUTPUT_RATE,
      connectTimeoutMs: 10_000,
      mediaTimeoutMs: 15_000,
      opus: opus.workerRecipe!,
      pacer: realtimePacerFactory({ fillSilence: false, maxCatchUpFrames: 5 }).workerRecipe!,
      ...setup,
    },
  });
  t.teardown(() => workers.stop());
  return workers;
}

/** 24 kHz 440 Hz frames: frame i of a tone long enough for `count` frames. */
function botFrames(count: number): AudioFrame[] {
  const tone = tone440((count * 20 * 48000) / OUTPUT_RATE).subarray(0, count * OUTPUT_FRAME);
  return Array.from({ length: count }, (_, i) => ({ kind: 'audio', samples: tone.slice(i * OUTPUT_FRAME, (i + 1) * OUTPUT_FRAME), sampleRate: OUTPUT_RATE, timestamp: 0 }) as AudioFrame);
}

t.test('a peer in a worker: caller audio arrives at 16 kHz, bot audio sent ahead is paced by the worker', async (t) => {
  const workers = pool(t);
  await workers.start();
  const peer = workers.create() as WorkerPeer;
  t.equal(peer.playoutBufferMs, 100, 'the peer paces itself, and says how far ahead it takes audio');
  const frames: AudioFrame[] = [];
  peer.onAudio((frame) => frames.push({ ...frame, samples: frame.samples.slice() }));
  const { client, transceiver, received } = await connect(peer);
  t.teardown(async () => {
    await peer.close();
    await client.close();
  });

  await sendToneFromClient(transceiver, tone440(1000));
  await waitFor(() => frames.length >= 45, 'the tone from the client').catch(() => {});
  t.ok(frames.length >= 45, `caller frames arrived from the worker (${frames.length})`);
  t.ok(frames.every((f) => f.sampleRate === 16000 && f.samples.length === 320), 'decoded to 20 ms at 16 kHz');
  const frequency = zeroCrossingFrequency(concatPcm(frames.slice(5, -2).map((f) => f.samples)), 16000);
  t.ok(Math.abs(frequency - 440) < 10, `the 440 Hz tone (${frequency.toFixed(1)} Hz)`);
  const now = performance.now();
  t.ok(frames.every((f) => f.timestamp <= now && f.timestamp > now - 5000), "frames are stamped on this thread's clock");

  // 25 frames (500 ms) handed over at once, as the engine does in lead mode.
  const start = performance.now();
  const sent = botFrames(25).filter((frame) => peer.sendFrame(frame)).length;
  t.equal(sent, 25, 'sendFrame() took every frame');
  await waitFor(() => received.length >= 25, 'the bot audio at the client', 5000);
  const spread = performance.now() - start;
  t.ok(spread >= 400, `the worker paced them at real time: 25 frames took ${spread.toFixed(0)} ms to arrive, not a burst`);
  const sequences = received.map((p) => p.sequence);
  t.same(sequences, sequences.map((_, i) => (sequences[0]! + i) & 0xffff), 'in order, none lost');
});

t.test('barge-in: clearAudio() reports what the worker still held and the client hears no more of it', async (t) => {
  const workers = pool(t);
  const peer = workers.create() as WorkerPeer;
  const { client, received } = await connect(peer);
  t.teardown(async () => {
    await peer.close();
    await client.close();
  });
  for (const frame of botFrames(100)) peer.sendFrame(frame);
  await waitFor(() => received.length >= 10, 'the first bot frames');
  const held = peer.clearAudio();
  t.ok(held > 1000 && held <= 2000, `about 2 s less what played was taken back (${held.toFixed(0)} ms)`);
  const atClear = received.length;
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.ok(received.length - atClear <= 5, `at most a few frames already on their way came after the clear (${received.length - atClear})`);
  t.ok(received.length < 50, `the rest of the 2 s was never sent (${received.length} frames in all)`);
  t.equal(peer.clearAudio(), 0, 'nothing held after a clear');
});

t.test('a malformed offer rejects with the SDP error from the worker, and the peer closes', async (t) => {
  const workers = pool(t);
  const peer = workers.create();
  const states: RtcPeerState[] = [];
  peer.onStateChange((state) => states.push(state));
  await t.rejects(peer.answer('v=0\r\nthis is not sdp'), { code: 'VAPI_ERR_WEBRTC_SDP', category: 'bad_input' });
  await peer.close();
  t.equal(peer.state, 'closed');
  t.equal(states.at(-1), 'closed', 'closed comes last');
  t.equal(workers.peerCount, 0, 'the worker holds no peer');
});

t.test('a worker that dies fails its peers with VAPI_ERR_WEBRTC_WORKER; the next peer gets a new worker', async (t) => {
  const logs: CapturedLog[] = [];
  const workers = pool(t, logs);
  await workers.start();
  const peer = workers.create();
  const { client } = await connect(peer);
  t.teardown(() => client.close());
  const failed = new Promise<Error | undefined>((resolve) => peer.onStateChange((state, error) => state === 'failed' && resolve(error)));
  const threads = (workers as unknown as { workers: Array<{ thread: { terminate(): Promise<number> } }> }).workers;
  await threads[0]!.thread.terminate();
  t.match(await failed, { code: 'VAPI_ERR_WEBRTC_WORKER', category: 'server', retryable: true });
  await peer.close();
  t.equal(peer.state, 'closed', 'the peer counts as closed: nothing is left to release');
  t.ok(logs.some((l) => l.level === 'warn' && /media worker exited/.test(l.msg ?? '')), 'logged');

  const next = workers.create();
  const second = await connect(next);
  t.teardown(async () => {
    await next.close();
    await second.client.close();
  });
  t.equal(next.state, 'connected', 'a replacement worker hosts the next call');
});

t.test('stop() ends the worker threads', async (t) => {
  const workers = pool(t, [], 2);
  await workers.start();
  const threads = (workers as unknown as { workers: Array<{ thread: { threadId: number; once(e: 'exit', l: () => void): void } }> }).workers;
  const exits = threads.map((w) => new Promise<void>((resolve) => w.thread.once('exit', resolve)));
  await workers.stop();
  await Promise.all(exits);
  t.pass('both workers exited');
});

t.test('the plugin: mediaWorkers peers through the registry; a codec no worker can rebuild is refused with the fix', async (t) => {
  const clock = new SystemClock();
  const pacers = { default: realtimePacerFactory({ fillSilence: false, maxCatchUpFrames: 5 }) };
  const harness = await setupPlugin(webrtcPlugin, {
    options: { mediaWorkers: 1, bindAddress: '127.0.0.1' },
    deps: { [stageRefs.codecs.id]: { opus }, [stageRefs.pacers.id]: pacers, [coreRefs.clock.id]: clock },
  });
  const factory = harness.get(webrtcRefs.peers)!;
  const peer = factory.create();
  t.equal(peer.playoutBufferMs, 100, 'playoutLeadMs defaults to 100 ms');
  await peer.close();
  await harness.stop();

  const { workerRecipe: _, ...opusWithoutRecipe } = opus;
  await t.rejects(
    setupPlugin(webrtcPlugin, { options: { mediaWorkers: 1 }, deps: { [stageRefs.codecs.id]: { opus: opusWithoutRecipe }, [stageRefs.pacers.id]: pacers, [coreRefs.clock.id]: clock } }),
    { code: 'VAPI_ERR_WEBRTC_OPTIONS', details: { path: 'mediaWorkers' }, fix: /mediaWorkers: 0/ },
  );
  const inThread = await setupPlugin(webrtcPlugin, { options: { mediaWorkers: 0 }, deps: { [stageRefs.codecs.id]: { opus: opusWithoutRecipe }, [coreRefs.clock.id]: clock } });
  const local = inThread.get(webrtcRefs.peers)!.create();
  t.equal(local.playoutBufferMs, undefined, 'mediaWorkers 0: peers on the main thread, paced by the engine');
  await local.close();
});

t.test('a worker that cannot build its factories: start() rejects with the cause, and a peer fails instead of hanging', async (t) => {
  const logs: CapturedLog[] = [];
  const broken = pool(t, logs, 1, { opus: { module: opus.workerRecipe!.module, export: 'noSuchFactory', options: {} } });
  await t.rejects(broken.start(), { code: 'VAPI_ERR_WORKER_RECIPE' });
  t.ok(logs.some((l) => l.level === 'error' && /could not build/.test(l.msg ?? '')), 'the cause is logged');
  const peer = broken.create();
  await t.rejects(peer.answer('v=0\r\n'), { code: /VAPI_ERR_WEBRTC_WORKER|VAPI_ERR_WORKER_RECIPE/ });
  await peer.close();
  t.equal(peer.state, 'closed');
});
