/** The plugin as the server sees it: setup() through the testkit harness. */
import t from 'tap';
import { SAMPLE_RATES, stageRefs } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin, { DEFAULT_QUALITY, PassThroughResampler, SpeexResampler, SpeexResamplerFactory } from '../src/index.js';

t.test('registers the speex resampler factory', async (t) => {
  t.equal(plugin.id, 'stage-resample-speex');
  t.same(plugin.provides, [stageRefs.resamplers]);
  const h = await setupPlugin(plugin);
  t.same(h.options, { quality: DEFAULT_QUALITY }, 'quality defaults');
  const resamplers = h.registry(stageRefs.resamplers);
  t.same(resamplers.keys(), ['speex']);
  t.equal(resamplers.providerOf('speex'), 'stage-resample-speex');
  const factory = resamplers.get('speex')!;
  t.ok(factory instanceof SpeexResamplerFactory);
  t.equal(factory.name, 'speex');
  t.same([...factory.sampleRates], [...SAMPLE_RATES]);
  const resampler = factory.create({ inputRate: 8000, outputRate: 16000 });
  t.ok(resampler instanceof SpeexResampler);
  t.equal((resampler as SpeexResampler).quality, DEFAULT_QUALITY);
  t.ok(factory.create({ inputRate: 48000, outputRate: 48000 }) instanceof PassThroughResampler);
  t.same(h.logs.map((l) => l.level), ['debug'], 'one line at setup');
});

t.test('the quality option sets the default; create() may override it', async (t) => {
  const h = await setupPlugin(plugin, { options: { quality: 3 } });
  const factory = h.registry(stageRefs.resamplers).get('speex')!;
  t.equal((factory.create({ inputRate: 8000, outputRate: 16000 }) as SpeexResampler).quality, 3);
  t.equal((factory.create({ inputRate: 8000, outputRate: 16000, quality: 9 }) as SpeexResampler).quality, 9);
});

t.test('bad plugin options are refused at setup', async (t) => {
  for (const options of [{ quality: 11 }, { quality: -1 }, { quality: 'best' }, { quality: 5, extra: true }]) {
    await t.rejects(setupPlugin(plugin, { options }), { code: 'VAPI_ERR_CONFIG_VALUE', category: 'invalid_request' }, JSON.stringify(options));
  }
});
