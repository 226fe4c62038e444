/** The plugin as the server sees it: setup() through the testkit harness, options, stop(). */
import t from 'tap';
import { providerRefs } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin, { EspeakTts, VOICES } from '../src/index.js';
import { ENGLISH, frames } from './helpers.js';

t.test('registers the espeak TTS provider with its capabilities', async (t) => {
  t.equal(plugin.id, 'tts-espeak');
  t.same(plugin.provides, [providerRefs.tts]);
  const h = await setupPlugin(plugin);
  t.teardown(() => h.stop());
  t.same(h.options, { defaultVoice: 'en-us', speed: 1, pitch: 50, workers: 1 }, 'defaults');
  const registry = h.registry(providerRefs.tts);
  t.same(registry.keys(), ['espeak']);
  t.equal(registry.providerOf('espeak'), 'tts-espeak');
  const tts = registry.get('espeak')!;
  t.ok(tts instanceof EspeakTts);
  t.equal(tts.name, 'espeak');
  t.same(tts.capabilities, { sampleRates: [22050], languages: ['en-US', 'zh-CN'], voices: [...VOICES], streamingInput: false });
  t.ok(tts.capabilities.voices.includes('en-us') && tts.capabilities.voices.includes('cmn'));
});

t.test('bad options are refused at setup', async (t) => {
  for (const options of [{ defaultVoice: 'klingon' }, { speed: 3 }, { speed: 0.1 }, { pitch: 101 }, { workers: 0 }, { volume: 1 }]) {
    await t.rejects(setupPlugin(plugin, { options }), { code: 'VAPI_ERR_CONFIG_VALUE', category: 'invalid_request' }, JSON.stringify(options));
  }
});

t.test('stop() ends the workers; later syntheses fail as a VapiError; stop() again is harmless', async (t) => {
  const h = await setupPlugin(plugin, { options: { workers: 2 } });
  const tts = h.registry(providerRefs.tts).get('espeak')!;
  t.ok((await frames(tts, 'Ready.')).length > 0);
  await h.stop();
  await t.rejects(frames(tts, ENGLISH), { code: 'VAPI_ERR_TTS_ENGINE', category: 'server' });
  await h.stop();
});
