import t from 'tap';
import {
  bytesToPcm16,
  concatPcm,
  dbfs,
  floatToPcm16,
  FrameChunker,
  pcm16ToBytes,
  readWav,
  rms,
  sineWave,
  snrDb,
  whiteNoise,
  writeWav,
  zeroCrossingFrequency,
} from '../src/index.js';
import { VirtualClock } from '../src/testkit/index.js';

t.test('PCM bytes round trip; odd lengths and unaligned buffers', async (t) => {
  const samples = Int16Array.from([0, 1, -1, 32767, -32768]);
  t.same([...bytesToPcm16(pcm16ToBytes(samples))], [...samples]);
  t.throws(() => bytesToPcm16(new Uint8Array(3)), { code: 'VAPI_ERR_AUDIO_ODD_LENGTH', category: 'bad_input' });
  const unaligned = new Uint8Array(5).subarray(1);
  unaligned.set([0x01, 0x00, 0xff, 0xff]);
  t.same([...bytesToPcm16(unaligned)], [1, -1]);
});

t.test('float to PCM clips overflow and silences NaN', async (t) => {
  t.same([...floatToPcm16(Float32Array.from([0, 0.5, 2, -2, NaN, -1]))], [0, 16384, 32767, -32768, 0, -32768]);
});

t.test('levels: a full-scale sine is about -3 dBFS, silence is -Infinity', async (t) => {
  const sine = sineWave(1000, 16000, 100, 1);
  t.ok(Math.abs(dbfs(sine) + 3.01) < 0.05, `${dbfs(sine)}`);
  t.equal(dbfs(new Int16Array(160)), -Infinity);
  t.equal(rms(new Int16Array(0)), 0);
});

t.test('signals: tone frequency, deterministic noise, SNR', async (t) => {
  t.ok(Math.abs(zeroCrossingFrequency(sineWave(440, 8000, 1000), 8000) - 440) <= 1);
  t.same(whiteNoise(8000, 10, 0.1, 7), whiteNoise(8000, 10, 0.1, 7));
  const tone = sineWave(300, 8000, 200);
  t.equal(snrDb(tone, tone), Infinity);
  const noisy = tone.map((v, i) => v + (i % 2 ? 100 : -100));
  t.ok(snrDb(tone, Int16Array.from(noisy)) > 30);
});

t.test('WAV write/read round trip, stereo downmix, bad files', async (t) => {
  const tone = sineWave(440, 22050, 50);
  const back = readWav(writeWav(tone, 22050));
  t.equal(back.sampleRate, 22050);
  t.same([...back.samples], [...tone]);
  const stereo = writeWav(Int16Array.from([100, 300, -100, -300]), 8000);
  new DataView(stereo.buffer).setUint16(22, 2, true);
  t.same([...readWav(stereo).samples], [200, -200]);
  t.throws(() => readWav(new Uint8Array(10)), { code: 'VAPI_ERR_AUDIO_WAV_INVALID' });
  const noData = writeWav(new Int16Array(0), 8000).subarray(0, 36);
  t.throws(() => readWav(noData), { code: 'VAPI_ERR_AUDIO_WAV_INVALID', message: /no data chunk/ });
});

t.test('FrameChunker emits exact frames and pads the tail', async (t) => {
  const chunker = new FrameChunker(8000);
  const frames: Int16Array[] = [];
  const keep = (f: Int16Array) => frames.push(f.slice());
  chunker.push(new Int16Array(100).fill(1), keep);
  chunker.push(new Int16Array(300).fill(2), keep);
  t.equal(frames.length, 2);
  t.equal(chunker.pending, 80);
  chunker.flush(keep);
  t.equal(frames.length, 3);
  t.same(frames.map((f) => f.length), [160, 160, 160]);
  t.same(concatPcm(frames).subarray(0, 400), concatPcm([new Int16Array(100).fill(1), new Int16Array(300).fill(2)]));
  t.equal(frames[2]![100], 0, 'padding is silence');
});

t.test('VirtualClock fires timers in order and drives sleeps', async (t) => {
  const clock = new VirtualClock();
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b@20'), 20);
  clock.setTimeout(() => fired.push('a@10'), 10);
  const cancelled = clock.setTimeout(() => fired.push('never'), 15);
  clock.clearTimeout(cancelled);
  const loop = (async () => {
    for (let i = 0; i < 3; i++) {
      await clock.sleep(20);
      fired.push(`tick@${clock.monotonic()}`);
    }
  })();
  await clock.advance(60);
  await loop;
  t.same(fired, ['a@10', 'b@20', 'tick@20', 'tick@40', 'tick@60']);
  const aborted = new AbortController();
  const sleeping = clock.sleep(100, aborted.signal);
  aborted.abort(new Error('barge-in'));
  await t.rejects(sleeping, /barge-in/);
  t.equal(clock.pendingTimers, 0);
});
