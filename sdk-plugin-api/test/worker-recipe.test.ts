/** buildFromRecipe: what a media worker runs to rebuild a factory the main thread holds. */
import t from 'tap';
import { buildFromRecipe, type AudioCodecFactory, type AudioPacerFactory } from '../src/index.js';
import { opusFactory } from '../../plugins/codec-opus/src/index.js';
import { realtimePacerFactory } from '../../plugins/stage-pacer/src/index.js';

t.test("a factory's recipe builds an equivalent factory", async (t) => {
  const original = opusFactory({ application: 'voip', complexity: 3, bitrate: 24000, fec: true, packetLossPercent: 10, dtx: false });
  t.same(structuredClone(original.workerRecipe), original.workerRecipe, 'the recipe survives structured cloning (postMessage)');
  const rebuilt = await buildFromRecipe<AudioCodecFactory>(original.workerRecipe!);
  t.equal(rebuilt.name, 'opus');
  t.same(rebuilt.sampleRates, original.sampleRates);
  const codec = rebuilt.create({ sampleRate: 24000 });
  t.ok(codec.encode({ kind: 'audio', samples: new Int16Array(480), sampleRate: 24000, timestamp: 0 }).length > 0, 'its codecs encode');
  codec.close();

  const pacers = await buildFromRecipe<AudioPacerFactory>(realtimePacerFactory({ fillSilence: true, maxCatchUpFrames: 3 }).workerRecipe!);
  t.equal(pacers.name, 'default');
  t.same(pacers.workerRecipe?.options, { fillSilence: true, maxCatchUpFrames: 3 }, 'with the same defaults');
});

t.test('a recipe naming no function export is refused with the fix', async (t) => {
  await t.rejects(buildFromRecipe({ module: new URL('../src/index.ts', import.meta.url).href, export: 'FRAME_MS' }), {
    code: 'VAPI_ERR_WORKER_RECIPE',
    fix: /exported function/,
  });
  await t.rejects(buildFromRecipe({ module: new URL('./no-such-module.ts', import.meta.url).href, export: 'x' }), /no-such-module|Cannot find/);
});
