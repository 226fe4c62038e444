import t from 'tap';
import { audioFrame, dbfs, peak, samplesPerFrame, sineWave, whiteNoise, type AudioFrame, type MixerOptions } from '@vapi-cn/sdk-plugin-api';
import { Mixer, softClip, SOFT_CLIP_KNEE } from '../src/index.js';

const RATE = 24000;
const N = samplesPerFrame(RATE);

const mixer = (options: Partial<MixerOptions> = {}) =>
  new Mixer({ sampleRate: RATE, voiceGainDb: 0, duckDb: 12, duckAttackMs: 20, duckReleaseMs: 300, ...options });

/** Frame `f` of a long signal. */
const frameOf = (signal: Int16Array, f: number): AudioFrame => audioFrame(signal.subarray(f * N, (f + 1) * N), RATE, f * 20);

/** Level of the output minus the voice, relative to the raw source over the same samples, in dB. */
function sourceGainDb(out: Int16Array, voice: Int16Array | null, source: Int16Array): number {
  const rest = new Int16Array(N);
  for (let i = 0; i < N; i++) rest[i] = out[i]! - (voice ? voice[i]! : 0);
  return dbfs(rest) - dbfs(source);
}

t.test('levels: a -20 dBFS source at -6 dB comes out at -26 dBFS; the voice alone passes unchanged', async (t) => {
  const background = sineWave(1000, RATE, 1000, 0.1 * Math.SQRT2);
  t.ok(Math.abs(dbfs(background) + 20) < 0.05, `background at ${dbfs(background)} dBFS`);
  const m = mixer();
  m.addSource('bg', { samples: background, gainDb: -6 });
  const out = m.process(null, 0);
  t.ok(Math.abs(dbfs(out.samples) + 26) < 0.1, `mixed at ${dbfs(out.samples)} dBFS`);
  t.equal(out.sampleRate, RATE);
  t.equal(out.timestamp, 0);

  const voice = whiteNoise(RATE, 200, 0.5, 7);
  const alone = mixer();
  for (let f = 0; f < 10; f++) {
    const frame = frameOf(voice, f);
    const mixed = alone.process(frame, f * 20);
    t.same([...mixed.samples], [...frame.samples], `frame ${f} unchanged`);
    t.equal(mixed.timestamp, f * 20);
  }
  const quiet = mixer({ voiceGainDb: -6 }).process(frameOf(voice, 0), 0);
  t.ok(Math.abs(dbfs(quiet.samples) - dbfs(frameOf(voice, 0).samples) + 6) < 0.05, 'voiceGainDb applies');
});

t.test('the output frame is reused, and silence comes out when there is neither voice nor source', async (t) => {
  const m = mixer();
  const a = m.process(null, 0);
  const b = m.process(null, 20);
  t.equal(a, b);
  t.equal(peak(b.samples), 0);
  t.equal(b.timestamp, 20);
});

t.test('ducking: full depth after the attack time, back to full level after the release time', async (t) => {
  const background = whiteNoise(RATE, 2000, 0.1, 3);
  const voice = sineWave(300, RATE, 2000, 0.2);
  const m = mixer({ duckAttackMs: 100, duckReleaseMs: 300 });
  m.addSource('bg', { samples: background });
  const gains: number[] = [];
  for (let f = 0; f < 40; f++) {
    const v = f < 15 ? frameOf(voice, f).samples : null;
    const out = m.process(v ? audioFrame(v, RATE) : null, f * 20).samples;
    gains.push(sourceGainDb(out, v, frameOf(background, f).samples));
  }
  t.ok(gains[0]! < -0.1 && gains[0]! > -2.5, `engaging in the first frame: ${gains[0]}`);
  t.ok(gains[2]! < -4 && gains[2]! > -9, `part way after 60 ms: ${gains[2]}`);
  for (let f = 5; f < 15; f++) t.ok(Math.abs(gains[f]! + 12) < 0.1, `frame ${f} at full depth: ${gains[f]}`);
  t.ok(gains[22]! < -4 && gains[22]! > -8, `half released after 160 ms: ${gains[22]}`);
  t.ok(gains[28]! < -0.1, `still releasing at 280 ms: ${gains[28]}`);
  for (let f = 30; f < 40; f++) t.ok(Math.abs(gains[f]!) < 0.05, `frame ${f} released: ${gains[f]}`);
});

t.test('ducking: a near-silent voice frame does not duck; per-source depth overrides the mixer', async (t) => {
  const background = whiteNoise(RATE, 1000, 0.1, 5);
  const hiss = whiteNoise(RATE, 1000, 0.001, 9);
  const m = mixer();
  m.addSource('bg', { samples: background });
  m.addSource('deep', { samples: background, duckDb: 24, gainDb: -200 });
  for (let f = 0; f < 5; f++) {
    const out = m.process(frameOf(hiss, f), f * 20).samples;
    t.ok(Math.abs(sourceGainDb(out, frameOf(hiss, f).samples, frameOf(background, f).samples)) < 0.1, `hiss frame ${f} leaves the source alone`);
  }
  const solo = mixer();
  solo.addSource('deep', { samples: background, duckDb: 24 });
  const voice = sineWave(300, RATE, 100, 0.2);
  solo.process(frameOf(voice, 0), 0);
  const out = solo.process(frameOf(voice, 1), 20).samples;
  t.ok(Math.abs(sourceGainDb(out, frameOf(voice, 1).samples, frameOf(background, 1).samples) + 24) < 0.1, 'ducked by its own 24 dB');
});

t.test('soft clipping: two full-scale sources stay within PCM16 and never flip sign', async (t) => {
  const a = sineWave(440, RATE, 1000, 1);
  const b = sineWave(660, RATE, 1000, 1);
  const m = mixer();
  m.addSource('a', { samples: a });
  m.addSource('b', { samples: b });
  let maxPeak = 0;
  let flips = 0;
  let changedBelowKnee = 0;
  for (let f = 0; f < 50; f++) {
    const out = m.process(null, f * 20).samples;
    maxPeak = Math.max(maxPeak, peak(out));
    for (let i = 0; i < N; i++) {
      const sum = a[f * N + i]! + b[f * N + i]!;
      if (out[i]! * sum < 0) flips++;
      if (Math.abs(sum) <= SOFT_CLIP_KNEE && out[i] !== sum) changedBelowKnee++;
    }
  }
  t.ok(maxPeak <= 32767, `peak ${maxPeak}`);
  t.ok(maxPeak > 30000, 'loud parts stay loud');
  t.equal(flips, 0, 'no sign flips');
  t.equal(changedBelowKnee, 0, 'samples below the knee pass unchanged');
});

t.test('soft clipping curve: identity below the knee, continuous, monotonic, bounded, odd', async (t) => {
  t.equal(softClip(1000), 1000);
  t.equal(softClip(SOFT_CLIP_KNEE), SOFT_CLIP_KNEE);
  t.ok(Math.abs(SOFT_CLIP_KNEE - 32768 * Math.pow(10, -3 / 20)) < 1e-9, 'knee at -3 dBFS');
  let worstStep = 0;
  let decreasing = 0;
  for (let x = -200000; x < 200000; x += 0.25) {
    const step = softClip(x + 0.25) - softClip(x);
    worstStep = Math.max(worstStep, step);
    if (step < 0) decreasing++;
    if (Math.abs(softClip(-x) + softClip(x)) > 1e-9) t.fail(`not odd at ${x}`);
  }
  t.ok(worstStep <= 0.25 + 1e-9, `slope never above 1 (no jump): ${worstStep / 0.25}`);
  t.equal(decreasing, 0);
  const slopeAbove = (softClip(SOFT_CLIP_KNEE + 1e-3) - SOFT_CLIP_KNEE) / 1e-3;
  t.ok(Math.abs(slopeAbove - 1) < 1e-3, `slope 1 just above the knee (no corner): ${slopeAbove}`);
  t.ok(softClip(1e9) <= 32767 && softClip(1e9) > 32766, 'approaches full scale');
  t.equal(softClip(Infinity), 32767);
});

t.test('sources added, re-gained, replaced and removed mid-call; a one-shot source goes when it ends', async (t) => {
  const a = sineWave(500, RATE, 1000, 0.2);
  const b = whiteNoise(RATE, 1000, 0.2, 11);
  const m = mixer();
  t.same(m.sourceIds, []);
  m.process(null, 0);
  m.addSource('a', { samples: a });
  t.same([...m.process(null, 20).samples], [...frameOf(a, 0).samples], 'a starts at its beginning on the next frame');
  m.addSource('b', { samples: b, gainDb: -6 });
  t.same(m.sourceIds, ['a', 'b']);
  const both = m.process(null, 40).samples;
  t.ok(Math.abs(both[10]! - (a[N + 10]! + Math.round(b[10]! * 0.5012))) <= 1, 'b mixed at -6 dB with a');
  t.ok(m.removeSource('a'));
  t.notOk(m.removeSource('a'), 'already gone');
  t.same(m.sourceIds, ['b']);
  const onlyB = m.process(null, 60).samples;
  t.ok(Math.abs(dbfs(onlyB) - (dbfs(frameOf(b, 1).samples) - 6)) < 0.05, 'only b, at -6 dB');
  m.setSourceGain('b', 0);
  m.setSourceGain('unknown', 0);
  t.ok(Math.abs(dbfs(m.process(null, 80).samples) - dbfs(frameOf(b, 2).samples)) < 0.05, 'b at its new gain');
  m.addSource('b', { samples: a, gainDb: 0 });
  t.same([...m.process(null, 100).samples], [...frameOf(a, 0).samples], 'replacing b restarts it with the new samples');

  const once = sineWave(500, RATE, 30, 0.2);
  const shot = mixer();
  shot.addSource('chime', { samples: once, loop: false });
  t.same([...shot.process(null, 0).samples], [...once.subarray(0, N)]);
  const tail = shot.process(null, 20).samples;
  t.same([...tail.subarray(0, N / 2)], [...once.subarray(N)], 'the last half frame plays');
  t.equal(peak(tail.subarray(N / 2)), 0, 'then silence');
  t.same(shot.sourceIds, [], 'removed when it ended');
  t.equal(peak(shot.process(null, 40).samples), 0);

  const exact = mixer();
  exact.addSource('one-frame', { samples: once.subarray(0, N), loop: false });
  exact.process(null, 0);
  t.same(exact.sourceIds, [], 'a source ending on a frame boundary goes at once');

  m.close();
  t.same(m.sourceIds, []);
  t.equal(peak(m.process(null, 120).samples), 0, 'closed mixer has no sources');
});

t.test('looping: a loop of whole periods plays as one continuous tone', async (t) => {
  const loop = sineWave(500, RATE, 100, 0.5);
  const continuous = sineWave(500, RATE, 700, 0.5);
  const m = mixer();
  m.addSource('tone', { samples: loop });
  let maxDiff = 0;
  for (let f = 0; f < 35; f++) {
    const out = m.process(null, f * 20).samples;
    for (let i = 0; i < N; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - continuous[f * N + i]!));
  }
  t.ok(maxDiff <= 1, `six loop points, no click (max difference ${maxDiff})`);
});

t.test('bad input: wrong rate or length is a bad_input VapiError, and the mixer carries on', async (t) => {
  const m = mixer();
  m.addSource('bg', { samples: sineWave(500, RATE, 100, 0.1) });
  t.throws(() => m.process(audioFrame(new Int16Array(320), 16000), 0), { code: 'VAPI_ERR_MIXER_SAMPLE_RATE', category: 'bad_input', message: /24000 Hz.*16000 Hz/ });
  t.throws(() => m.process(audioFrame(new Int16Array(100), RATE), 0), { code: 'VAPI_ERR_MIXER_FRAME_SIZE', category: 'bad_input', message: /480.*100/ });
  t.throws(() => m.addSource('empty', { samples: new Int16Array(0) }), { code: 'VAPI_ERR_MIXER_SOURCE', category: 'bad_input' });
  t.same(m.sourceIds, ['bg']);
  t.ok(peak(m.process(null, 0).samples) > 0, 'still mixing');
});

t.test('reset drops the ducking but keeps the sources and their positions', async (t) => {
  const background = whiteNoise(RATE, 1000, 0.1, 13);
  const voice = sineWave(300, RATE, 100, 0.2);
  const m = mixer();
  m.addSource('bg', { samples: background });
  m.process(frameOf(voice, 0), 0);
  m.process(frameOf(voice, 1), 20);
  m.reset();
  const out = m.process(null, 40).samples;
  t.same([...out], [...frameOf(background, 2).samples], 'full level, position carried on');
});
