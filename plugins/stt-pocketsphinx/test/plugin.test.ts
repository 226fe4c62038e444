/** The plugin as the server sees it: setup() through the testkit harness, options and defaults. */
import t from 'tap';
import { providerRefs } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin, { PocketsphinxStt } from '../src/index.js';
import { GRAMMAR } from './helpers.js';

t.test('registers the pocketsphinx STT provider with its capabilities', async (t) => {
  t.equal(plugin.id, 'stt-pocketsphinx');
  t.same(plugin.provides, [providerRefs.stt]);
  const h = await setupPlugin(plugin, { options: { grammar: GRAMMAR } });
  t.teardown(() => h.stop());
  t.same(h.options, {
    binary: 'pocketsphinx_continuous',
    hmm: '/usr/share/pocketsphinx/model/en-us/en-us',
    dict: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict',
    grammar: GRAMMAR,
    keyphraseThreshold: 1e-40,
    warm: true,
  });
  const registry = h.registry(providerRefs.stt);
  t.same(registry.keys(), ['pocketsphinx']);
  t.equal(registry.providerOf('pocketsphinx'), 'stt-pocketsphinx');
  const stt = registry.get('pocketsphinx')!;
  t.ok(stt instanceof PocketsphinxStt);
  t.equal(stt.name, 'pocketsphinx');
  t.same(stt.capabilities, { sampleRates: [16000], languages: ['en-US'], interimResults: false });
  t.match(h.logs, [{ level: 'debug', obj: { binary: '/usr/bin/pocketsphinx_continuous', search: 'grammar', warm: true } }]);
});

t.test('bad options are refused by the schema', async (t) => {
  for (const options of [{ grammar: '' }, { warm: 'yes please' }, { keyphraseThreshold: 0 }, { keyphraseThreshold: 2 }, { model: 'en' }]) {
    await t.rejects(setupPlugin(plugin, { options }), { code: 'VAPI_ERR_CONFIG_VALUE', category: 'invalid_request' }, JSON.stringify(options));
  }
});

t.test('stop() is idempotent, also before start()', async (t) => {
  const h = await setupPlugin(plugin, { options: { grammar: GRAMMAR } });
  await h.stop();
  await h.stop();
  t.pass('stopped twice');
});
