import t from 'tap';
import { audioFrame, dbfs, samplesPerFrame, stageRefs, whiteNoise, type VadOptions } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';
import { loadFvad, type FvadModule } from '../src/fvad.js';
import { WebRtcVad } from '../src/webrtc-vad.js';
import { feed, scoreVad } from '../../../test/fixtures/speech/score.js';
import { speechCorpus, withNoise } from '../../../test/fixtures/speech/synthesize.js';

const harness = await setupPlugin(plugin);
const factory = harness.registry(stageRefs.vads).get('webrtc')!;
const corpus = await speechCorpus(16000);
const SETTINGS = { sampleRate: 16000, aggressiveness: 3, minSpeechMs: 100, minSilenceMs: 400, energyGateDbfs: -55 } as const;
const create = (options: Partial<VadOptions> = {}) => factory.create({ sampleRate: 16000, ...options });
const speechFrames = (options: Partial<VadOptions>, samples: Int16Array) => feed(create(options), samples, 16000).speaking.reduce((a, b) => a + b, 0);

t.test('registers the webrtc VAD; options default and are checked', async (t) => {
  t.equal(harness.registry(stageRefs.vads).providerOf('webrtc'), 'stage-vad-webrtc');
  t.equal(factory.name, 'webrtc');
  t.same(factory.sampleRates, [8000, 16000, 32000, 48000]);
  t.same(harness.options, { aggressiveness: 3, minSpeechMs: 100, minSilenceMs: 400, energyGateDbfs: -55 });
  await t.rejects(setupPlugin(plugin, { options: { aggressiveness: 4 } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
  await t.rejects(setupPlugin(plugin, { options: { mode: 1 } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
});

t.test("the plugin's options are the defaults for what create() leaves out", async (t) => {
  const noise = whiteNoise(16000, 4000, 0.055);
  const lenient = (await setupPlugin(plugin, { options: { aggressiveness: 0, minSpeechMs: 0, minSilenceMs: 0 } })).registry(stageRefs.vads).get('webrtc')!;
  t.same(feed(lenient.create({ sampleRate: 16000 }), noise, 16000).speaking, feed(create({ aggressiveness: 0, minSpeechMs: 0, minSilenceMs: 0 }), noise, 16000).speaking);
  t.same(feed(lenient.create({ sampleRate: 16000, aggressiveness: 3 }), noise, 16000).speaking, feed(create({ minSpeechMs: 0, minSilenceMs: 0 }), noise, 16000).speaking);
});

t.test('finds the speech at every rate it takes', async (t) => {
  for (const rate of factory.sampleRates) {
    const at = await speechCorpus(rate);
    const score = scoreVad(factory.create({ sampleRate: rate }), at, at.samples);
    t.ok(score.recall > 0.95 && score.onsets >= 9, `${rate} Hz: recall ${score.recall.toFixed(3)}, ${score.onsets} onsets`);
  }
});

t.test('energy gate: frames below energyGateDbfs never reach the model', async (t) => {
  // The wasm module with _fvad_process counted (HEAP16 and the rest come from the real one).
  let calls = 0;
  const real = await loadFvad();
  const counting: FvadModule = Object.create(real, {
    _fvad_process: { value: (vad: number, frame: number, length: number) => (calls++, real._fvad_process(vad, frame, length)) },
  });
  const size = samplesPerFrame(16000);
  let loud = 0;
  for (let i = 0; i < corpus.samples.length; i += size) if (dbfs(corpus.samples.subarray(i, i + size)) >= -55) loud++;
  feed(new WebRtcVad(counting, SETTINGS), corpus.samples, 16000);
  t.equal(calls, loud, `the model classified only the ${loud} of ${corpus.labels.length} frames at or above -55 dBFS`);
  t.ok(loud < corpus.labels.length * 0.75, 'the clean corpus has silence for the gate to skip');
  calls = 0;
  const quiet = whiteNoise(16000, 1000, 0.001);
  t.same(feed(new WebRtcVad(counting, SETTINGS), quiet, 16000).events, [], '-65 dBFS noise is silence');
  t.equal(calls, 0);
  feed(new WebRtcVad(counting, { ...SETTINGS, energyGateDbfs: -Infinity }), quiet, 16000);
  t.equal(calls, 50, 'with the gate off every frame is classified');
});

t.test('aggressiveness: each step passes less noise as speech', async (t) => {
  for (const [label, samples] of [
    ['white noise at -30 dBFS', whiteNoise(16000, 4000, 0.055)],
    ['the corpus at 5 dB SNR', withNoise(corpus, 5)],
  ] as const) {
    const counts = ([0, 1, 2, 3] as const).map((aggressiveness) => speechFrames({ aggressiveness, minSpeechMs: 0, minSilenceMs: 0 }, samples));
    t.ok(counts.every((n, i) => i === 0 || n <= counts[i - 1]!) && counts[3]! < counts[0]! * 0.8, `${label}: speech frames by aggressiveness ${counts.join(' ≥ ')}`);
  }
});

t.test('instances share no state', async (t) => {
  const noisy = withNoise(corpus, 10);
  const alone = feed(create(), noisy, 16000);
  // Two detectors interleaved frame by frame, the other one fed loud noise.
  const a = create();
  const b = create({ aggressiveness: 0 });
  const loud = whiteNoise(16000, (noisy.length / 16) | 0, 0.3);
  const size = samplesPerFrame(16000);
  const events: string[] = [];
  for (let f = 0; f < alone.speaking.length; f++) {
    b.process(audioFrame(loud.subarray(f * size, (f + 1) * size), 16000));
    const event = a.process(audioFrame(noisy.subarray(f * size, (f + 1) * size), 16000));
    if (event) events.push(`${f}:${event}`);
  }
  t.ok(b.speaking, 'the other detector is in speech');
  t.same(events, alone.events, 'same events as when running alone');
});

t.test('reset() forgets everything: the run after it matches a fresh detector', async (t) => {
  const noisy = withNoise(corpus, 10);
  const vad = create();
  feed(vad, noisy.subarray(0, 16000 * 3), 16000);
  t.ok(vad.speaking, 'speaking three seconds in');
  vad.reset();
  t.notOk(vad.speaking);
  t.same(feed(vad, noisy, 16000).events, feed(create(), noisy, 16000).events);
});

t.test('a wasm heap that is out of memory is a VapiError, and nothing leaks', async (t) => {
  const real = await loadFvad();
  let freed = 0;
  const exhausted: FvadModule = Object.create(real, {
    _fvad_new: { value: () => 0 },
    _free: { value: (pointer: number) => (freed++, real._free(pointer)) },
  });
  t.throws(() => new WebRtcVad(exhausted, SETTINGS), { code: 'VAPI_ERR_VAD_MEMORY', category: 'server' });
  t.equal(freed, 1, 'the frame buffer was freed');
});

t.test('close() is idempotent; a closed detector refuses frames', async (t) => {
  const vad = create();
  vad.close();
  vad.close();
  vad.reset();
  t.throws(() => vad.process(audioFrame(new Int16Array(320), 16000)), { code: 'VAPI_ERR_VAD_CLOSED' });
});

t.test('bad input is a bad_input VapiError, never a crash', async (t) => {
  for (const sampleRate of [22050, 44100, 0, NaN]) {
    t.throws(() => factory.create({ sampleRate }), { code: 'VAPI_ERR_VAD_SAMPLE_RATE', category: 'bad_input' }, `${sampleRate} Hz`);
  }
  for (const aggressiveness of [4, -1, 1.5]) {
    t.throws(() => create({ aggressiveness: aggressiveness as 0 }), { code: 'VAPI_ERR_VAD_OPTIONS', category: 'invalid_request' });
  }
  t.throws(() => create({ minSilenceMs: -20 }), { code: 'VAPI_ERR_VAD_OPTIONS' });
  const vad = create();
  t.throws(() => vad.process(audioFrame(new Int16Array(160), 8000)), { code: 'VAPI_ERR_VAD_SAMPLE_RATE', category: 'bad_input' });
  for (const length of [0, 160, 319, 321, 480, 640]) {
    t.throws(() => vad.process(audioFrame(new Int16Array(length), 16000)), { code: 'VAPI_ERR_VAD_FRAME_LENGTH', category: 'bad_input' }, `${length} samples`);
  }
  // Full-scale square waves and clipped extremes are valid audio.
  const square = Int16Array.from({ length: 320 }, (_, i) => ((i >> 4) & 1 ? 32767 : -32768));
  for (let i = 0; i < 50; i++) t.doesNotThrow(() => vad.process(audioFrame(square, 16000)));
  t.ok(vad.speaking, 'a loud square wave passes as speech');
  t.doesNotThrow(() => vad.process(audioFrame(new Int16Array(320), 16000)), 'still works after bad frames');
});
