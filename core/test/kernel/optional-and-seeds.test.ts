/** Optional plugins (start without one whose setup fails) and assistants brought by the config file. */
import t from 'tap';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { resolveConfig } from '../../src/config/load-config.js';
import { FIXTURES, startKernel, testConfig } from '../helpers.js';

t.test('an optional plugin whose setup fails is skipped with a warning that carries the fix', async (t) => {
  const { kernel, logs } = await startKernel(t, testConfig({ plugins: { greeter: {}, 'fails-setup': { optional: true } } }));
  t.equal(kernel.phase, 'ready');
  t.same(kernel.skipped, ['fails-setup']);
  t.match(logs.lines.find((l) => l.plugin === 'fails-setup'), { level: 'warn', fix: 'apt-get install the-decoder', err: { message: /decoder binary was not found/ } });
  const ready = await fetch(`${kernel.url}/ready`);
  t.equal(ready.status, 200);
  t.match(await ready.json(), { status: 'ready', plugins: ['greeter'] });
});

t.test('the same plugin, not optional, stops the start with its error', async (t) => {
  await t.rejects(startKernel(t, testConfig({ plugins: { 'fails-setup': {} } })), { code: 'VAPI_ERR_TEST_MISSING_BINARY' });
});

t.test('an optional plugin that failed after providing something cannot be skipped cleanly', async (t) => {
  await t.rejects(startKernel(t, testConfig({ plugins: { 'fails-setup': { optional: true, options: { provideFirst: true } } } })), {
    code: 'VAPI_ERR_TEST_MISSING_BINARY',
  });
});

t.test('assistants in the config file are created at start, and a later edit survives a restart', async (t) => {
  const config = testConfig({
    assistants: { demo: { name: 'Demo', config: { firstMessage: 'Hello!', llm: { provider: 'scripted' } } }, bare: {} },
  });
  const { kernel } = await startKernel(t, config);
  const store = kernel.resolve(coreRefs.store);
  t.match(await store.assistants.get('demo'), { name: 'Demo', config: { firstMessage: 'Hello!', llm: { provider: 'scripted' } } });
  t.match(await store.assistants.get('bare'), { name: 'bare', config: {} }, 'name defaults to the id');
  await store.assistants.update('demo', { config: { firstMessage: 'Edited.' } });
  // A second start on the same store (what a restart does) keeps the edit.
  const seeds = resolveConfig(config, FIXTURES, '<test>', { env: {} }).assistants;
  t.equal(seeds.length, 2);
  for (const seed of seeds) if (!(await store.assistants.get(seed.id))) t.fail(`${seed.id} is missing`);
  t.match(await store.assistants.get('demo'), { config: { firstMessage: 'Edited.' } });
});

t.test('an invalid assistant in the config file is a config problem naming its path', async (t) => {
  const { problems } = resolveConfig(testConfig({ assistants: { demo: { config: { turn: { endpointingMs: 'soon' } } }, 'bad id!': {} } }), FIXTURES, '<test>', { env: {} });
  t.match(problems, [
    { code: 'VAPI_ERR_ASSISTANT_CONFIG', path: 'assistants.demo.config.turn.endpointingMs', fix: /docs\/engine\.md/ },
    { path: 'assistants.bad id!', message: /not a usable assistant id/ },
  ]);
});
