import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadConfigFile, resolveConfig } from '../../src/config/load-config.js';

const problemsOf = (fn: () => { problems: unknown[] }) => fn().problems;

t.test('an empty config gets every default', async (t) => {
  const config = resolveConfig({}, '/srv/app', 'x.yaml', { env: {} });
  t.match(config.server, {
    server: { host: '127.0.0.1', port: 3000, drainTimeoutMs: 30000 },
    log: { level: 'info' },
    store: { driver: 'pglite', dataDir: '/srv/app/data' },
    bus: { driver: 'memory', prefix: 'vapi-cn.' },
    auth: { enabled: true },
    baseDir: '/srv/app',
  });
  t.same(config.plugins, []);
  t.same(config.problems, []);
  t.same(config.pluginTimeouts, { setupMs: 10000, startMs: 15000, stopMs: 10000 });
});

t.test('environment strings are coerced to the declared types', async (t) => {
  const config = resolveConfig({ server: { port: '${env:PORT}' }, auth: { enabled: '${env:AUTH}' } }, '/', 'x', { env: { PORT: '8080', AUTH: 'false' } });
  t.equal(config.server.server.port, 8080);
  t.equal(config.server.auth.enabled, false);
});

t.test('store: auto picks postgres when a URL is given', async (t) => {
  const config = resolveConfig({ store: { url: 'postgres://u@127.0.0.1/db' } }, '/', 'x', { env: {} });
  t.same(config.server.store, { driver: 'postgres', url: 'postgres://u@127.0.0.1/db' });
  t.match(problemsOf(() => resolveConfig({ store: { driver: 'postgres' } }, '/', 'x', { env: {} })), [{ path: 'store.url', code: 'VAPI_ERR_CONFIG_MISSING' }]);
});

t.test('unknown keys are named with a did-you-mean', async (t) => {
  const problems = problemsOf(() => resolveConfig({ server: { prot: 1 }, lgo: {} }, '/', 'x', { env: {} }));
  t.match(problems, [
    { code: 'VAPI_ERR_CONFIG_UNKNOWN_KEY', path: 'lgo', fix: /did you mean 'log'/ },
    { code: 'VAPI_ERR_CONFIG_UNKNOWN_KEY', path: 'server.prot', fix: /did you mean 'port'/ },
  ]);
});

t.test('wrong types and values name the path, the value and the fix', async (t) => {
  const problems = problemsOf(() => resolveConfig({ server: { port: 'abc' }, log: { level: 'loud' } }, '/', 'x', { env: {} }));
  t.match(problems, [
    { code: 'VAPI_ERR_CONFIG_TYPE', path: 'server.port', message: 'must be an integer, got "abc"', fix: 'set server.port to an integer' },
    { code: 'VAPI_ERR_CONFIG_VALUE', path: 'log.level', message: /must be one of: "fatal", .*"silent", got "loud"/ },
  ]);
});

t.test('disabled plugins are left out; order is kept', async (t) => {
  const config = resolveConfig({ plugins: { b: {}, a: { enabled: false }, c: { options: { x: 1 } } } }, '/', 'x', { env: {} });
  t.same(config.plugins.map((p) => p.id), ['b', 'c']);
  t.same(config.plugins[1]!.entry.options, { x: 1 });
});

t.test('files: YAML errors carry line and column; a missing file says so', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vapi-cfg-'));
  const bad = path.join(dir, 'bad.yaml');
  await writeFile(bad, 'server:\n  port: 1\n  port: 2\n');
  await t.rejects(loadConfigFile(bad), { message: /problem/, problems: [{ code: 'VAPI_ERR_CONFIG_YAML', path: /^line 3/ }] });
  await t.rejects(loadConfigFile(path.join(dir, 'nope.yaml')), { message: /problem/, problems: [{ code: 'VAPI_ERR_CONFIG_NOT_FOUND' }] });
  const good = path.join(dir, 'good.yaml');
  await writeFile(good, 'store:\n  dataDir: ./here\n');
  const config = await loadConfigFile(good, { env: {} });
  t.equal(config.server.store.dataDir, path.join(dir, 'here'), 'relative paths resolve against the config file');
});

t.test('the shipped default config is valid with an empty environment', async (t) => {
  const config = await loadConfigFile(new URL('../../../config/default.yaml', import.meta.url).pathname, { env: {} });
  t.equal(config.server.server.port, 3000);
  t.equal(config.server.store.driver, 'pglite');
});
