import t from 'tap';
import { coreRefs, createRef, definePlugin, providerRefs, Type } from '../src/index.js';
import { setupPlugin } from '../src/testkit/index.js';

const greeting = createRef<string>('harness.greeting');
const plugin = definePlugin({
  id: 'harness-demo',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  configSchema: Type.Object({ name: Type.String(), times: Type.Integer({ default: 2 }) }, { additionalProperties: false }),
  provides: [greeting],
  requires: { clock: coreRefs.clock },
  optional: { tts: providerRefs.tts },
  setup(ctx, options) {
    ctx.log.info({ times: options.times }, 'set up');
    ctx.provide(greeting, `hi ${options.name}`.repeat(options.times));
    return { tts: ctx.optionalDeps.tts?.keys() ?? [] };
  },
});

t.test('setupPlugin validates options with defaults, resolves deps, exposes what is provided', async (t) => {
  const h = await setupPlugin(plugin, { options: { name: 'x', times: '3' }, deps: { 'core.clock': {}, 'providers.tts': { acme: {} } } });
  t.equal(h.get(greeting), 'hi xhi xhi x');
  t.same(h.state, { tts: ['acme'] });
  t.match(h.logs, [{ level: 'info', msg: 'set up', obj: { times: 3 }, bindings: { plugin: 'harness-demo' } }]);
  await t.rejects(setupPlugin(plugin, { options: {}, deps: { 'core.clock': {} } }), { code: 'VAPI_ERR_CONFIG_VALUE', message: /name/ });
  await t.rejects(setupPlugin(plugin, { options: { name: 'x' } }), { code: 'VAPI_ERR_PLUGIN_MISSING_REF', message: /core\.clock/ });
});
