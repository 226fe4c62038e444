/** The receive path on its own, with a virtual clock: loss, reordering, duplicates, garbage, wrap. */
import t from 'tap';
import { audioFrame, concatPcm, sineWave, zeroCrossingFrequency, type AudioCodec, type AudioFrame } from '@vapi-cn/sdk-plugin-api';
import { VirtualClock } from '@vapi-cn/sdk-plugin-api/testkit';
import { InboundAudio } from '../src/inbound-audio.js';
import { FRAME, jitterBuffers, opus } from './helpers.js';

/** 20 ms Opus packets of a 440 Hz tone. */
function tonePackets(count: number): Uint8Array[] {
  const encoder = opus.create({ sampleRate: 48000 });
  const tone = sineWave(440, 48000, count * 20, 0.5);
  const packets = Array.from({ length: count }, (_, i) => encoder.encode(audioFrame(tone.subarray(i * FRAME, (i + 1) * FRAME), 48000)).slice());
  encoder.close();
  return packets;
}

const packets = tonePackets(60);

function setup(options: { jitter?: boolean; decoder?: AudioCodec } = {}) {
  const clock = new VirtualClock();
  const frames: Array<{ samples: Int16Array; timestamp: number }> = [];
  const bad: unknown[] = [];
  const decoder = options.decoder ?? opus.create({ sampleRate: 48000 });
  const inbound = new InboundAudio({
    decoder,
    clock,
    onFrame: (frame: AudioFrame) => frames.push({ samples: frame.samples.slice(), timestamp: frame.timestamp }),
    onBadPacket: (error) => bad.push(error),
    ...(options.jitter ? { jitterBuffer: jitterBuffers.create<Uint8Array>({ targetDepth: 3 }) } : {}),
  });
  return { clock, frames, bad, inbound, decoder };
}

t.test('direct: in-order packets decode one frame each', async (t) => {
  const { frames, inbound } = setup();
  for (let i = 0; i < 50; i++) inbound.receive(1, 1000 + i, i * FRAME, packets[i]!);
  t.equal(frames.length, 50);
  t.ok(frames.every((f) => f.samples.length === FRAME));
  const frequency = zeroCrossingFrequency(concatPcm(frames.slice(5).map((f) => f.samples)), 48000);
  t.ok(Math.abs(frequency - 440) < 5, `${frequency} Hz`);
  t.match(inbound.stats, { packets: 50, frames: 50, lost: 0, late: 0, concealed: 0, badPackets: 0 });
});

t.test('direct: a gap is concealed, late and duplicate packets are dropped', async (t) => {
  const { frames, inbound } = setup();
  for (const i of [0, 1, 3, 2, 3, 4, 4, 7, 8]) inbound.receive(1, 100 + i, i * FRAME, packets[i]!);
  // 0 1 [2 concealed] 3 (2 late) (3 dup) 4 (4 dup) [5 6 concealed] 7 8
  t.equal(frames.length, 9, 'a frame for every sequence number 0..8');
  t.match(inbound.stats, { packets: 9, frames: 9, lost: 3, late: 3, concealed: 3 });
});

t.test('direct: sequence numbers wrap at 65535', async (t) => {
  const { frames, inbound } = setup();
  [65533, 65534, 65535, 0, 1, 2].forEach((sequence, i) => inbound.receive(1, sequence, i * FRAME, packets[i]!));
  t.equal(frames.length, 6);
  t.match(inbound.stats, { lost: 0, late: 0 });
});

t.test('direct: a new SSRC starts a new sequence, even a lower one', async (t) => {
  const { frames, inbound } = setup();
  for (let i = 0; i < 5; i++) inbound.receive(1, 30000 + i, 0, packets[i]!);
  for (let i = 0; i < 5; i++) inbound.receive(2, 10 + i, 0, packets[5 + i]!);
  t.equal(frames.length, 10);
  t.match(inbound.stats, { lost: 0, late: 0 });
});

t.test('direct: a sender that restarts lower in the same SSRC is followed after a while', async (t) => {
  const { frames, inbound } = setup();
  for (let i = 0; i < 5; i++) inbound.receive(1, 30000 + i, 0, packets[i]!);
  for (let i = 0; i < 40; i++) inbound.receive(1, 100 + i, 0, packets[i % 60]!);
  t.ok(frames.length > 5 + 10, `playing again (${frames.length} frames)`);
});

t.test('direct: a long gap conceals at most 100 ms', async (t) => {
  const { frames, inbound } = setup();
  inbound.receive(1, 0, 0, packets[0]!);
  inbound.receive(1, 50, 0, packets[1]!);
  t.equal(frames.length, 1 + 5 + 1);
  t.equal(inbound.stats.lost, 49);
});

t.test('a garbage payload is concealed and reported, not thrown', async (t) => {
  const { frames, inbound, bad } = setup();
  inbound.receive(1, 0, 0, packets[0]!);
  t.doesNotThrow(() => inbound.receive(1, 1, 0, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x00)));
  t.doesNotThrow(() => inbound.receive(1, 2, 0, new Uint8Array(0)));
  inbound.receive(1, 3, 0, packets[3]!);
  t.equal(frames.length, 4, 'a frame for each packet');
  t.ok(frames.every((f) => f.samples.length === FRAME));
  t.equal(bad.length, inbound.stats.badPackets);
  t.ok(inbound.stats.badPackets >= 1, `${inbound.stats.badPackets} bad packets`);
});

t.test('jitter buffer: reordered, duplicated and lost packets play in order on a 20 ms clock', async (t) => {
  const { clock, frames, inbound } = setup({ jitter: true });
  // 4 is lost, 2/1 and 6/5 swapped, 3 repeated.
  for (const i of [0, 2, 1, 3, 3, 6, 5, 7, 8, 9, 10, 11]) inbound.receive(7, 500 + i, i * FRAME, packets[i]!);
  await clock.advance(400);
  t.equal(frames.length, 12, 'sequence 0..11, the lost one concealed');
  t.ok(frames.every((f) => f.samples.length === FRAME));
  for (let i = 1; i < frames.length; i++) if (frames[i]!.timestamp - frames[i - 1]!.timestamp !== 20) t.fail(`frame ${i} not 20 ms after the previous`);
  t.match(inbound.stats, { packets: 12, frames: 12, concealed: 1, lost: 1 });
  t.ok(inbound.stats.late >= 1, 'the duplicate counted');
  const frequency = zeroCrossingFrequency(concatPcm(frames.slice(5).map((f) => f.samples)), 48000);
  t.ok(Math.abs(frequency - 440) < 10, `${frequency} Hz`);
  inbound.stop();
  t.equal(clock.pendingTimers, 0, 'stop() cancels the playout timer');
  inbound.receive(7, 512, 0, packets[12]!);
  t.equal(clock.pendingTimers, 0, 'and packets after stop() are ignored');
});

t.test('jitter buffer: after a stall, at most 5 frames play at once', async (t) => {
  // A clock whose time is set by hand, as a blocked event loop would leave it.
  let now = 0;
  let due: (() => void) | undefined;
  const clock = {
    now: () => now,
    monotonic: () => now,
    setTimeout: (callback: () => void) => ((due = callback), 1 as never),
    clearTimeout: () => (due = undefined),
    sleep: async () => {},
  };
  const frames: number[] = [];
  const inbound = new InboundAudio({ decoder: opus.create({ sampleRate: 48000 }), clock, onFrame: (f) => frames.push(f.timestamp), jitterBuffer: jitterBuffers.create<Uint8Array>({ targetDepth: 3 }) });
  for (let i = 0; i < 30; i++) inbound.receive(7, i, i * FRAME, packets[i]!);
  now = 200;
  due!();
  t.equal(frames.length, 5, 'five frames in the late tick');
  t.same(frames, [120, 140, 160, 180, 200], 'the latest slots; the older ones are skipped');
  inbound.stop();
  t.equal(due, undefined, 'stop() clears the timer');
});

t.test('packets longer or shorter than 20 ms are re-framed to 20 ms', async (t) => {
  // A stand-in decoder returning 10 ms, then 40 ms of audio per packet.
  let length = 480;
  let value = 0;
  const samples = new Int16Array(1920);
  const frame: AudioFrame = { kind: 'audio', samples, sampleRate: 48000, timestamp: 0 };
  const decoder: AudioCodec = {
    name: 'fake',
    sampleRate: 48000,
    encode: () => new Uint8Array(0),
    decode: (_payload, timestamp) => {
      frame.samples = samples.subarray(0, length);
      for (let i = 0; i < length; i++) frame.samples[i] = value++;
      frame.timestamp = timestamp;
      return frame;
    },
    conceal: (timestamp) => ((frame.samples = samples.subarray(0, 960).fill(0)), (frame.timestamp = timestamp), frame),
    close: () => {},
  };
  const { frames, inbound } = setup({ decoder });
  for (let i = 0; i < 4; i++) inbound.receive(1, i, 0, Uint8Array.of(1)); // 4 x 10 ms
  length = 1920;
  inbound.receive(1, 4, 0, Uint8Array.of(1)); // 40 ms
  t.equal(frames.length, 4, '80 ms in 20 ms frames');
  t.ok(frames.every((f) => f.samples.length === FRAME));
  const all = concatPcm(frames.map((f) => f.samples));
  t.ok(all.every((v, i) => v === i), 'samples in order, none lost or repeated');
});
