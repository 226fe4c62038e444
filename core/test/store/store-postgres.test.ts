/**
 * The store on a real PostgreSQL (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 * the user must be allowed to create databases). Fails, not skips, when PostgreSQL is unreachable:
 * CI must start it. Each run works in fresh databases named vapi_test_<random>, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { isVapiError } from '@vapi-cn/sdk-plugin-api';
import { migrate, readMigrations } from '../../src/store/migrator.js';
import { openStore } from '../../src/store/open-store.js';
import { openPostgresClient } from '../../src/store/postgres-client.js';
import type { SqlClient } from '../../src/store/sql-client.js';
import { closedPort } from '../closed-port.js';
import { storeSuite } from './store-suite.js';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = `vapi_test_${randomBytes(6).toString('hex')}`;

let admin: SqlClient | undefined;

/** Creates an empty database for this run, dropped when `tt` ends; returns its URL. */
async function createDatabase(tt: Test, suffix: string): Promise<string> {
  admin ??= await openPostgresClient({ url: ADMIN_URL });
  const name = `${run}_${suffix}`;
  await admin.exec(`CREATE DATABASE ${name}`);
  tt.teardown(() => admin!.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

t.teardown(() => admin?.close());

t.test('store suite on PostgreSQL', async (tt) => {
  storeSuite(tt, async () => openPostgresClient({ url: await createDatabase(tt, 'suite') }));
});

t.test('two nodes migrating the same fresh database at once apply each migration once', async (tt) => {
  const url = await createDatabase(tt, 'nodes');
  const nodeA = await openPostgresClient({ url });
  const nodeB = await openPostgresClient({ url });
  tt.teardown(() => Promise.all([nodeA.close(), nodeB.close()]));

  const [byA, byB] = await Promise.all([migrate(nodeA), migrate(nodeB)]);
  const versions = (await readMigrations()).map((m) => m.version);
  tt.same([...byA, ...byB].map((m) => m.version).sort((a, b) => a - b), versions, 'each applied by exactly one node');
  const recorded = await nodeA.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  tt.same(recorded.map((r) => r.version), versions);

  // A server then starts on the migrated database without applying anything.
  const store = await openStore({ driver: 'postgres', url });
  tt.teardown(() => store.close());
  tt.equal(store.driver, 'postgres');
  await store.ping();
  tt.same(await migrate(nodeB), []);
});

t.test('a wrong port is a connectivity VapiError naming the host, not the password', async (tt) => {
  const port = await closedPort();
  const url = `postgres://postgres:sekret-pw@127.0.0.1:${port}/test`;
  for (const attempt of [openPostgresClient({ url }), openStore({ driver: 'postgres', url })]) {
    const err = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    tt.match(err, { name: 'VapiError', code: 'VAPI_ERR_STORE_UNREACHABLE', category: 'connectivity', retryable: true });
    tt.ok(isVapiError(err));
    const { message, fix } = err as { message: string; fix?: string };
    tt.match(message, `127.0.0.1:${port}/test`);
    tt.notMatch(message, 'sekret-pw');
    tt.notMatch(fix ?? '', 'sekret-pw');
    tt.ok(fix, 'has a fix');
  }
});

t.test('a missing database is reported as such', async (tt) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${run}_never_created`;
  await tt.rejects(openPostgresClient({ url: url.toString() }), {
    code: 'VAPI_ERR_STORE_NO_DATABASE',
    category: 'invalid_request',
    fix: /Create the database/,
  });
});

t.test('store.url must be set and valid', async (tt) => {
  await tt.rejects(openStore({ driver: 'postgres', url: '' }), { code: 'VAPI_ERR_STORE_URL', category: 'invalid_request' });
  await tt.rejects(openStore({ driver: 'postgres' }), { code: 'VAPI_ERR_STORE_URL' });
  await tt.rejects(openStore({ driver: 'postgres', url: 'not a url' }), { code: 'VAPI_ERR_STORE_URL' });
});
