/** auth.firstStartKey: a key made for the console on a start whose store has none, its URL never logged. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { loadConfigFile } from '../../src/config/load-config.js';
import { consoleUrlWithKey, FIRST_START_KEY_NAME } from '../../src/kernel/first-start-key.js';
import { startKernel, testConfig } from '../helpers.js';

t.test('the console URL is one a browser on this machine can open, the key in its fragment', async (t) => {
  t.equal(consoleUrlWithKey('127.0.0.1', 3000, 'vk_a-b_c'), 'http://127.0.0.1:3000/#key=vk_a-b_c');
  t.equal(consoleUrlWithKey('0.0.0.0', 8080, 'vk_x'), 'http://127.0.0.1:8080/#key=vk_x', 'a wildcard bind becomes loopback');
  t.equal(consoleUrlWithKey('::', 8080, 'vk_x'), 'http://[::1]:8080/#key=vk_x');
  t.equal(consoleUrlWithKey('fd00::5', 8080, 'vk_x'), 'http://[fd00::5]:8080/#key=vk_x', 'IPv6 in brackets');
  t.equal(consoleUrlWithKey('voice.local', 80, 'vk_x'), 'http://voice.local:80/#key=vk_x');
});

t.test('on in the embedded default (VAPI_CN_FIRST_START_KEY=false turns it off), off in the production example', async (t) => {
  const config = (file: string) => fileURLToPath(new URL(`../../../config/${file}`, import.meta.url));
  const env = { DATABASE_URL: 'postgres://u@127.0.0.1/db', REDIS_URL: 'redis://127.0.0.1:6379' };
  t.equal((await loadConfigFile(config('default.yaml'), { env: {} })).firstStartKey, true);
  t.equal((await loadConfigFile(config('default.yaml'), { env: { VAPI_CN_FIRST_START_KEY: 'false' } })).firstStartKey, false);
  t.equal((await loadConfigFile(config('examples/production.yaml'), { env })).firstStartKey, false);
});

t.test('first start: one key, its URL on the kernel, never in the logs; later starts make none', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vapi-first-start-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const config = testConfig({ auth: { enabled: true, firstStartKey: true }, store: { driver: 'pglite', dataDir } });

  const first = await startKernel(t, config);
  const url = first.kernel.firstStartUrl;
  t.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${first.kernel.port}/#key=vk_[\\w-]+$`));
  const key = new URL(url!).hash.slice('#key='.length);
  t.equal((await fetch(`${first.kernel.url}/v1/assistants`, { headers: { authorization: `Bearer ${key}` } })).status, 200, 'the key works');
  const store = first.kernel.resolve(coreRefs.store);
  t.match(await store.apiKeys.list(), [{ name: FIRST_START_KEY_NAME, revokedAt: null }], 'one key, named for what made it');
  t.notOk(JSON.stringify(first.logs.lines).includes(key), 'no log line holds the key');
  t.ok(first.logs.lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('first start: created an API key') && typeof l.apiKeyId === 'string'), 'the log names the key by id');
  // Revoked keys count: a store whose keys were all revoked is not a first start.
  await store.apiKeys.revoke((await store.apiKeys.list())[0]!.id);
  await first.kernel.stop();

  const second = await startKernel(t, config);
  t.equal(second.kernel.firstStartUrl, undefined, 'no key made on a later start');
  t.equal((await second.kernel.resolve(coreRefs.store).apiKeys.list()).length, 1, 'still the one (revoked) key');
  await second.kernel.stop();
});

t.test('no first-start key when it is off (the default) or when auth is off', async (t) => {
  for (const auth of [{ enabled: true }, { enabled: false, firstStartKey: true }]) {
    const { kernel } = await startKernel(t, testConfig({ auth }));
    t.equal(kernel.firstStartUrl, undefined, JSON.stringify(auth));
    t.same(await kernel.resolve(coreRefs.store).apiKeys.list(), [], `${JSON.stringify(auth)}: no key made`);
    await kernel.stop();
  }
});
