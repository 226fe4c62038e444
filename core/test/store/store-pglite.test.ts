import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openStore } from '../../src/store/open-store.js';
import { openPgliteClient } from '../../src/store/pglite-client.js';
import { storeSuite } from './store-suite.js';

t.test('store suite on in-memory PGlite', async (tt) => {
  storeSuite(tt, () => openPgliteClient());
});

t.test('a PGlite data directory persists across restarts', async (tt) => {
  const parent = await mkdtemp(path.join(tmpdir(), 'vapi-pglite-'));
  tt.teardown(() => rm(parent, { recursive: true, force: true }));
  const dataDir = path.join(parent, 'nested', 'data'); // missing directories are created

  const first = await openStore({ driver: 'pglite', dataDir });
  tt.equal(first.driver, 'pglite');
  const assistant = await first.assistants.create({ name: '持久化', config: { prompt: '你好' } });
  const call = await first.calls.create({ assistantId: assistant.id, transport: 'sip', direction: 'inbound' });
  const event = await first.callEvents.append(call.id, 'transcript', { text: '喂' });
  const { key } = await first.apiKeys.create('persisted');
  await first.close();

  const second = await openStore({ driver: 'pglite', dataDir });
  tt.teardown(() => second.close());
  tt.same(await second.assistants.get(assistant.id), assistant);
  tt.same(await second.calls.get(call.id), call);
  tt.same(await second.callEvents.list(call.id), [event]);
  tt.ok(await second.apiKeys.verify(key), 'API key still verifies');
  const next = await second.callEvents.append(call.id, 'transcript', { text: '再见' });
  tt.ok(next.id > event.id, 'the id sequence continues after a restart');
});

t.test('dataDir memory:// is in memory, not a directory', async (tt) => {
  const store = await openStore({ driver: 'pglite', dataDir: 'memory://' });
  tt.teardown(() => store.close());
  await store.assistants.create({ id: 'x', name: 'x' });
  tt.ok(await store.assistants.get('x'));
  tt.notOk(existsSync('memory:'), 'no directory named memory: was created');
});

t.test('an unusable dataDir is a VapiError with a fix', async (tt) => {
  const parent = await mkdtemp(path.join(tmpdir(), 'vapi-pglite-'));
  tt.teardown(() => rm(parent, { recursive: true, force: true }));
  const file = path.join(parent, 'a-file');
  await writeFile(file, 'not a directory');
  await tt.rejects(openPgliteClient({ dataDir: path.join(file, 'data') }), {
    name: 'VapiError',
    code: 'VAPI_ERR_STORE_UNREACHABLE',
    category: 'connectivity',
    fix: /store\.dataDir/,
  });
});
