/**
 * bench:media — µs per 20 ms frame for each media stage and for the two full chains of a call,
 * over BENCH_FRAMES frames (default 10,000) after a warm-up, with GC counts per loop.
 *   telephone: in  G.711 µ-law decode 8k → resample 16k → VAD
 *              out TTS 24k → mixer (1 background) → resample 8k → G.711 encode
 *   webrtc:    in  Opus decode 48k → resample 16k → VAD
 *              out TTS 24k → mixer → resample 48k → Opus encode
 * calls per core = 20,000 µs / chain µs (each chain runs both directions, 50 frames/s each).
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import os from 'node:os';
import {
  audioFrame,
  samplesPerFrame,
  sineWave,
  stageRefs,
  whiteNoise,
  type AudioFrame,
  type Plugin,
} from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import g711 from '../../plugins/codec-g711/src/index.js';
import opusPlugin from '../../plugins/codec-opus/src/index.js';
import resamplePlugin from '../../plugins/stage-resample-speex/src/index.js';
import vadPlugin from '../../plugins/stage-vad-webrtc/src/index.js';
import mixerPlugin from '../../plugins/stage-mixer/src/index.js';
import jitterPlugin from '../../plugins/stage-jitter-buffer/src/index.js';
import l16Plugin from '../../plugins/codec-l16/src/index.js';
import sileroPlugin from '../../plugins/stage-vad-silero/src/index.js';
import pacerPlugin from '../../plugins/stage-pacer/src/index.js';
import type { Clock, TimerHandle } from '@vapi-cn/sdk-plugin-api';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 10_000);
const WARMUP = Math.min(1000, FRAMES);

let gcCount = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind !== constants.NODE_PERFORMANCE_GC_WEAKCB) gcCount++;
  }
}).observe({ entryTypes: ['gc'] });

interface Figure {
  us: number;
  gcs: number;
}

// GC entries are delivered after a timer tick, not synchronously: wait before and after counting.
const gcSettle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Runs `step(i)` FRAMES times after a warm-up; µs per call and GCs during the measured loop. */
async function measure(step: (i: number) => void): Promise<Figure> {
  for (let i = 0; i < WARMUP; i++) step(i);
  await gcSettle();
  const gcBefore = gcCount;
  const began = process.hrtime.bigint();
  for (let i = 0; i < FRAMES; i++) step(i);
  const elapsed = Number(process.hrtime.bigint() - began) / 1000;
  await gcSettle();
  return { us: Math.round((elapsed / FRAMES) * 100) / 100, gcs: gcCount - gcBefore };
}

/** Speech-like test audio: a few tones with noise, 1 s long, cut into 20 ms frames. */
function frames(rate: number, count = 50): AudioFrame[] {
  const n = samplesPerFrame(rate);
  const tone = sineWave(220, rate, count * 20, 0.3);
  const overtone = sineWave(660, rate, count * 20, 0.1);
  const noise = whiteNoise(rate, count * 20, 0.02);
  const out: AudioFrame[] = [];
  for (let f = 0; f < count; f++) {
    const samples = new Int16Array(n);
    for (let i = 0; i < n; i++) samples[i] = tone[f * n + i]! + overtone[f * n + i]! + noise[f * n + i]!;
    out.push(audioFrame(samples, rate, f * 20));
  }
  return out;
}

const registries = async (plugin: Plugin, deps: Record<string, unknown> = {}) => setupPlugin(plugin, { deps });
const codecs = (await registries(g711)).registry(stageRefs.codecs);
const opusCodecs = (await registries(opusPlugin)).registry(stageRefs.codecs);
const resamplers = (await registries(resamplePlugin)).registry(stageRefs.resamplers);
const vads = (await registries(vadPlugin)).registry(stageRefs.vads);
const sileroVads = (await registries(sileroPlugin)).registry(stageRefs.vads);
const l16Codecs = (await registries(l16Plugin)).registry(stageRefs.codecs);
const jitters = (await registries(jitterPlugin)).registry(stageRefs.jitterBuffers);
const mixers = (await registries(mixerPlugin, { resamplers: Object.fromEntries(resamplers.entries()) })).registry(stageRefs.mixers);

/** A clock whose one pending timer the bench fires by hand: measures the pacer's own tick cost. */
class ManualClock implements Clock {
  time = 0;
  pending: (() => void) | undefined;
  now = () => this.time;
  monotonic = () => this.time;
  setTimeout(callback: () => void): TimerHandle {
    this.pending = callback;
    return 1 as unknown as TimerHandle;
  }
  clearTimeout(): void {
    this.pending = undefined;
  }
  sleep = () => Promise.resolve();
  tick(): void {
    this.time += 20;
    const fire = this.pending;
    this.pending = undefined;
    fire?.();
  }
}
const manualClock = new ManualClock();
const pacers = (await registries(pacerPlugin, { 'core.clock': manualClock })).registry(stageRefs.pacers);

const speex = resamplers.get('speex')!;
const resampler = (inputRate: number, outputRate: number) => speex.create({ inputRate, outputRate });
const vad = () => vads.get('webrtc')!.create({ sampleRate: 16000 });
const mixerWithBackground = () => {
  const mixer = mixers.get('default')!.create({ sampleRate: 24000 });
  mixer.addSource('ambience', { samples: whiteNoise(24000, 2000, 0.05, 3), gainDb: -18, loop: true });
  return mixer;
};

const pcm8 = frames(8000);
const pcm16 = frames(16000);
const pcm24 = frames(24000);
const pcm48 = frames(48000);
const pcmu = codecs.get('pcmu')!.create({ sampleRate: 8000 });
const ulawPackets = pcm8.map((f) => pcmu.encode(f).slice());
const opus = opusCodecs.get('opus')!.create({ sampleRate: 48000 });
const opusPackets = pcm48.map((f) => opus.encode(f).slice());

console.log(`bench:media on ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}, ${FRAMES} frames per figure`);

const stages: Record<string, Figure> = {};
const stage = async (name: string, step: (i: number) => void) => {
  stages[name] = await measure(step);
  console.log(`  ${name.padEnd(28)} ${stages[name]!.us.toFixed(2).padStart(8)} µs/frame   gc ${stages[name]!.gcs}`);
};

{
  const enc = codecs.get('pcmu')!.create({ sampleRate: 8000 });
  const dec = codecs.get('pcmu')!.create({ sampleRate: 8000 });
  await stage('g711_ulaw_encode', (i) => enc.encode(pcm8[i % 50]!));
  await stage('g711_ulaw_decode', (i) => dec.decode(ulawPackets[i % 50]!, i * 20));
  const alaw = codecs.get('pcma')!.create({ sampleRate: 8000 });
  await stage('g711_alaw_encode', (i) => alaw.encode(pcm8[i % 50]!));
  const alawPackets = pcm8.map((f) => alaw.encode(f).slice());
  await stage('g711_alaw_decode', (i) => alaw.decode(alawPackets[i % 50]!, i * 20));
  const l16 = l16Codecs.get('l16')!.create({ sampleRate: 16000 });
  await stage('l16_encode_16k', (i) => l16.encode(pcm16[i % 50]!));
  const l16Packets = pcm16.map((f) => l16.encode(f).slice());
  await stage('l16_decode_16k', (i) => l16.decode(l16Packets[i % 50]!, i * 20));
  const opusEnc = opusCodecs.get('opus')!.create({ sampleRate: 48000 });
  const opusDec = opusCodecs.get('opus')!.create({ sampleRate: 48000 });
  await stage('opus_encode_48k', (i) => opusEnc.encode(pcm48[i % 50]!));
  await stage('opus_decode_48k', (i) => opusDec.decode(opusPackets[i % 50]!, i * 20));
  const opus16 = opusCodecs.get('opus')!.create({ sampleRate: 16000 });
  await stage('opus_encode_16k', (i) => opus16.encode(pcm16[i % 50]!));
  const opus16Packets = pcm16.map((f) => opus16.encode(f).slice());
  await stage('opus_decode_16k', (i) => opus16.decode(opus16Packets[i % 50]!, i * 20));
  const r8to16 = resampler(8000, 16000);
  await stage('resample_8k_16k', (i) => r8to16.process(pcm8[i % 50]!));
  const r24to8 = resampler(24000, 8000);
  await stage('resample_24k_8k', (i) => r24to8.process(pcm24[i % 50]!));
  const r48to16 = resampler(48000, 16000);
  await stage('resample_48k_16k', (i) => r48to16.process(pcm48[i % 50]!));
  const r24to48 = resampler(24000, 48000);
  await stage('resample_24k_48k', (i) => r24to48.process(pcm24[i % 50]!));
  const detector = vad();
  await stage('vad_webrtc_16k', (i) => detector.process(pcm16[i % 50]!));
  const detector8 = vads.get('webrtc')!.create({ sampleRate: 8000 });
  await stage('vad_webrtc_8k', (i) => detector8.process(pcm8[i % 50]!));
  const silero = sileroVads.get('silero')!.create({ sampleRate: 16000 });
  await stage('vad_silero_16k', (i) => silero.process(pcm16[i % 50]!));
  const mixer = mixerWithBackground();
  await stage('mixer_24k_1_background', (i) => mixer.process(pcm24[i % 50]!, i * 20));
  const mixer3 = mixerWithBackground();
  mixer3.addSource('music', { samples: sineWave(440, 24000, 1000, 0.2), gainDb: -20 });
  mixer3.addSource('room', { samples: whiteNoise(24000, 1500, 0.02, 9), gainDb: -24 });
  await stage('mixer_24k_3_backgrounds', (i) => mixer3.process(pcm24[i % 50]!, i * 20));
  const sent: number[] = [0];
  const pacer = pacers.get('default')!.create({ clock: manualClock, sampleRate: 24000, onFrame: () => sent[0]!++ });
  pacer.start();
  await stage('pacer_enqueue_and_tick', (i) => {
    pacer.enqueue(pcm24[i % 50]!);
    manualClock.tick();
  });
  pacer.stop();
  const jitter = jitters.get('default')!.create();
  await stage('jitter_push_pop', (i) => {
    jitter.push({ sequence: i & 0xffff, timestamp: i * 160, payload: ulawPackets[i % 50]! });
    jitter.pop();
  });
}

// Full chains: one iteration = one inbound frame and one outbound frame of one call.
const telephoneIn = { dec: codecs.get('pcmu')!.create({ sampleRate: 8000 }), up: resampler(8000, 16000), vad: vad() };
const telephoneOut = { mixer: mixerWithBackground(), down: resampler(24000, 8000), enc: codecs.get('pcmu')!.create({ sampleRate: 8000 }) };
const telephone = await measure((i) => {
  const heard = telephoneIn.up.process(telephoneIn.dec.decode(ulawPackets[i % 50]!, i * 20));
  if (heard) telephoneIn.vad.process(heard);
  const spoken = telephoneOut.down.process(telephoneOut.mixer.process(pcm24[i % 50]!, i * 20));
  if (spoken) telephoneOut.enc.encode(spoken);
});
const webrtcIn = { dec: opusCodecs.get('opus')!.create({ sampleRate: 48000 }), down: resampler(48000, 16000), vad: vad() };
const webrtcOut = { mixer: mixerWithBackground(), up: resampler(24000, 48000), enc: opusCodecs.get('opus')!.create({ sampleRate: 48000 }) };
const webrtc = await measure((i) => {
  const heard = webrtcIn.down.process(webrtcIn.dec.decode(opusPackets[i % 50]!, i * 20));
  if (heard) webrtcIn.vad.process(heard);
  const spoken = webrtcOut.up.process(webrtcOut.mixer.process(pcm24[i % 50]!, i * 20));
  if (spoken) webrtcOut.enc.encode(spoken);
});
console.log(`  telephone chain (both directions) ${telephone.us.toFixed(2)} µs/frame, gc ${telephone.gcs} → ${Math.floor(20000 / telephone.us)} calls per core`);
console.log(`  webrtc chain (both directions)    ${webrtc.us.toFixed(2)} µs/frame, gc ${webrtc.gcs} → ${Math.floor(20000 / webrtc.us)} calls per core`);

console.log(
  JSON.stringify({
    bench: 'media',
    telephone_chain_us: telephone.us,
    webrtc_chain_us: webrtc.us,
    telephone_calls_per_core: Math.floor(20000 / telephone.us),
    webrtc_calls_per_core: Math.floor(20000 / webrtc.us),
    telephone_chain_gcs: telephone.gcs,
    webrtc_chain_gcs: webrtc.gcs,
    frames: FRAMES,
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.us])),
    stage_gcs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.gcs])),
  }),
);
