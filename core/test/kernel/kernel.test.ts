import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { resolveConfig } from '../../src/config/load-config.js';
import { coreRefs, VapiError } from '@vapi-cn/sdk-plugin-api';
import { planBoot } from '../../src/kernel/boot-plan.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { captureLogs, FIXTURE_PLUGINS, loadTestConfig, startKernel, testConfig } from '../helpers.js';
import { greeterRef, lifecycle, shoutersRef } from '../fixtures/refs.js';

t.test('plugins are set up and started in dependency order, stopped in reverse', async (t) => {
  lifecycle.length = 0;
  const { kernel, logs } = await startKernel(t, testConfig({ plugins: { 'greeter-user': {}, greeter: { options: { greeting: 'ni hao', times: '2' } } } }));
  t.equal(kernel.phase, 'ready');
  t.same(lifecycle, ['greeter:setup', 'greeter-user:setup', 'greeter:start', 'greeter-user:start']);
  t.equal(kernel.resolve(greeterRef).greet('Li'), 'ni hao, Li ni hao, Li', 'validated options (coerced, defaults) reach setup');
  t.equal(kernel.container.collection(shoutersRef).get('upper')?.('a'), 'A');
  t.equal(kernel.container.collection(shoutersRef).providerOf('upper'), 'greeter');
  t.ok(kernel.resolve(coreRefs.store), 'core refs resolve');
  const pluginLine = logs.lines.find((l) => l.msg === 'greeter set up');
  t.match(pluginLine, { plugin: 'greeter', options: { greeting: 'ni hao', times: 2 } }, 'the plugin logs through its own child logger');
  await kernel.stop();
  t.same(lifecycle.slice(4), ['greeter-user:stop', 'greeter:stop']);
  t.equal(kernel.phase, 'stopped');
  await kernel.stop();
  t.equal(lifecycle.length, 6, 'stop is idempotent');
});

t.test('a plugin from an npm package is found in node_modules above the config', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vapi-npm-'));
  const pkg = path.join(dir, 'node_modules/@acme/vapi-hello');
  await mkdir(pkg, { recursive: true });
  await mkdir(path.join(dir, 'node_modules/@vapi-cn'), { recursive: true });
  await symlink(fileURLToPath(new URL('../../../sdk-plugin-api', import.meta.url)), path.join(dir, 'node_modules/@vapi-cn/sdk-plugin-api'));
  await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: '@acme/vapi-hello', version: '2.0.0', type: 'module', exports: { '.': { import: './dist/index.js' } } }));
  await mkdir(path.join(pkg, 'dist'));
  await writeFile(
    path.join(pkg, 'dist/index.js'),
    "import { definePlugin, createRef } from '@vapi-cn/sdk-plugin-api';\nconst ref = createRef('acme.hello');\nexport default definePlugin({ id: 'hello', version: '2.0.0', apiVersion: '^1.0.0', provides: [ref], setup(ctx) { ctx.provide(ref, 'hi from npm'); } });\n",
  );
  const config = resolveConfig(testConfig({ plugins: { hello: { from: '@acme/vapi-hello' } } }), path.join(dir, 'conf'), '<test>', { env: {} });
  const plan = await planBoot(config, { builtinDir: FIXTURE_PLUGINS });
  t.match(plan.plugins[0], { id: 'hello', origin: 'package', entry: /node_modules\/@acme\/vapi-hello\/dist\/index\.js$/ });
  const kernel = await Kernel.start(plan, { logDestination: captureLogs().stream, defaultMetrics: false });
  t.teardown(() => kernel.stop());
  const { createRef } = await import('@vapi-cn/sdk-plugin-api');
  t.equal(kernel.resolve(createRef<string>('acme.hello')), 'hi from npm');
});

t.test('a start() that hangs times out, names the plugin, and undoes what started', async (t) => {
  lifecycle.length = 0;
  const logs = captureLogs();
  const plan = await planBoot(loadTestConfig(testConfig({ plugins: { greeter: {}, 'slow-start': {} } })), { builtinDir: FIXTURE_PLUGINS });
  await t.rejects(Kernel.start(plan, { logDestination: logs.stream, defaultMetrics: false }), {
    code: 'VAPI_ERR_PLUGIN_TIMEOUT',
    message: "plugin 'slow-start' did not finish start() within 200 ms",
    fix: /plugins\.slow-start\.timeouts\.startMs/,
  });
  t.ok(lifecycle.includes('greeter:stop'), 'the plugin that had started was stopped');
});

t.test('a plugin that does not provide what it declares is refused at boot', async (t) => {
  const logs = captureLogs();
  const plan = await planBoot(loadTestConfig(testConfig({ plugins: { 'forgets-to-provide': {} } })), { builtinDir: FIXTURE_PLUGINS });
  await t.rejects(Kernel.start(plan, { logDestination: logs.stream, defaultMetrics: false }), { code: 'VAPI_ERR_PLUGIN_UNPROVIDED', message: /test\.absent/ });
});

t.test('refs are shared across copies of the SDK by id', async (t) => {
  const { createRef } = await import('@vapi-cn/sdk-plugin-api');
  t.equal(createRef('test.greeter').token, greeterRef.token);
  t.not(createRef('test.greeter').token, createRef('test.other').token);
  t.throws(() => createRef('Bad Id'), TypeError);
});

t.test('VapiError codes follow the naming rule', async (t) => {
  t.throws(() => new VapiError('x', { code: 'oops', category: 'server' }), TypeError);
});
