/**
 * The behaviour every SQL store must have, run against each driver (store-pglite.test.ts,
 * store-postgres.test.ts). `openClient` returns a client on a new, empty database; the suite
 * migrates it, runs every test on it (emptying the tables in between) and closes it at the end.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { isVapiError, type Store } from '@vapi-cn/sdk-plugin-api';
import { migrate, readMigrations, type Migration } from '../../src/store/migrator.js';
import type { SqlClient } from '../../src/store/sql-client.js';
import { SqlStore } from '../../src/store/sql-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Rich JSON: non-ASCII text, nesting, every JSON type, characters that need escaping. */
const RICH_JSON = {
  prompt: '你是一个友好的客服助手。请用中文回答。',
  中文键: { 嵌套: ['一', '二', { 三: 3 }] },
  nested: { list: [1, 2.5, -3, 0.1, 1.5e10, { deep: { deeper: null } }], yes: true, no: false },
  escapes: `it's "quoted" \\ back\\slash \n newline \t tab`,
  emoji: '🎙️📞',
  empty: {},
  emptyList: [],
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

export function storeSuite(t: Test, openClient: () => Promise<SqlClient>): void {
  let client: SqlClient;
  let store: SqlStore;
  let firstRuns: Migration[][];

  t.before(async () => {
    client = await openClient();
    // Two migrators at once on the fresh database: together they must apply each migration once.
    firstRuns = await Promise.all([migrate(client), migrate(client)]);
    store = new SqlStore(client);
  });
  t.teardown(() => store?.close());

  t.beforeEach(async () => {
    const tables = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`,
    );
    await client.exec(`TRUNCATE ${tables.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
  });

  t.test('migrations apply each version once and re-run as a no-op', async (tt) => {
    const all = await readMigrations();
    tt.ok(all.length >= 1, 'the server ships migrations');
    tt.same(all.map((m) => m.version), [...all.map((m) => m.version)].sort((a, b) => a - b), 'read in version order');

    const appliedVersions = firstRuns.flat().map((m) => m.version).sort((a, b) => a - b);
    tt.same(appliedVersions, all.map((m) => m.version), 'two concurrent first runs applied each migration exactly once');

    const recorded = await client.query<{ version: number; name: string; applied_at: Date }>(
      'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
    );
    tt.same(recorded.map((r) => [r.version, r.name]), all.map((m) => [m.version, m.name]));
    tt.ok(recorded.every((r) => r.applied_at instanceof Date), 'applied_at is a timestamp');

    tt.same(await migrate(client), [], 're-run applies nothing');
    tt.same(await migrate(client), [], 'and again');
    const [{ n }] = await client.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
    tt.equal(n, all.length, 'nothing recorded twice');

    for (const table of ['assistants', 'calls', 'call_events', 'api_keys', 'phone_numbers']) {
      const [row] = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [table]);
      tt.ok(row!.exists, `table ${table} exists`);
    }
  });

  t.test('a failing migration rolls back alone and is retried on the next run', async (tt) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vapi-migrations-'));
    tt.teardown(async () => {
      await rm(dir, { recursive: true, force: true });
      await client.exec('DROP TABLE IF EXISTS probe_ok; DROP TABLE IF EXISTS probe_bad; DELETE FROM schema_migrations WHERE version >= 900;');
    });
    // High versions: the real migrations are already recorded in this database.
    await writeFile(path.join(dir, '901_probe_ok.sql'), 'CREATE TABLE probe_ok (x int);');
    await writeFile(path.join(dir, '902_probe_bad.sql'), 'CREATE TABLE probe_bad (x int);\nSELECT * FROM no_such_table;');
    await writeFile(path.join(dir, 'README.md'), 'not a migration');

    const err = await rejection(migrate(client, { dir }));
    tt.match(err, { name: 'VapiError', code: 'VAPI_ERR_STORE_MIGRATION', details: { version: 902, name: 'probe_bad' } });
    tt.ok(isVapiError(err) && err.fix, 'says what to do');

    const versions = async () =>
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations WHERE version >= 900 ORDER BY version')).map((r) => r.version);
    tt.same(await versions(), [901], 'the good migration stays applied, the bad one is not recorded');
    const [tables] = await client.query<{ ok: boolean; bad: boolean }>(
      `SELECT to_regclass('probe_ok') IS NOT NULL AS ok, to_regclass('probe_bad') IS NOT NULL AS bad`,
    );
    tt.same(tables, { ok: true, bad: false }, "the bad migration's first statement was rolled back");

    await writeFile(path.join(dir, '902_probe_bad.sql'), 'CREATE TABLE probe_bad (x int);');
    tt.same((await migrate(client, { dir })).map((m) => m.version), [902], 'only the fixed migration runs');
    tt.same(await versions(), [901, 902]);
  });

  t.test('migration folders are checked', async (tt) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vapi-migrations-'));
    tt.teardown(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, '950_a.sql'), 'SELECT 1;');
    await writeFile(path.join(dir, '0950_b.sql'), 'SELECT 1;');
    await tt.rejects(migrate(client, { dir }), { code: 'VAPI_ERR_STORE_MIGRATION', details: { version: 950 } }, 'duplicate version');
    await tt.rejects(migrate(client, { dir: path.join(dir, 'missing') }), { code: 'VAPI_ERR_STORE_MIGRATION' }, 'missing folder');
  });

  t.test('the store implements Store', async (tt) => {
    const asStore: Store = store;
    tt.equal(asStore.driver, client.driver);
    await tt.resolves(store.ping());
  });

  t.test('assistants: create, get, update, delete', async (tt) => {
    const created = await store.assistants.create({ name: 'Receptionist' });
    tt.match(created.id, UUID, 'random UUID when no id is given');
    tt.same(created.config, {}, 'config defaults to {}');
    tt.ok(created.createdAt instanceof Date && created.updatedAt instanceof Date);
    tt.same(await store.assistants.get(created.id), created, 'get returns what create returned');

    const named = await store.assistants.create({ id: 'sales', name: 'Sales', config: { prompt: 'Sell', temperature: 0.3 } });
    tt.equal(named.id, 'sales', 'given id is kept');
    tt.equal(await store.assistants.get('nobody'), undefined, 'missing id → undefined');

    // Let the clock move so the bump is visible at millisecond precision.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const renamed = await store.assistants.update('sales', { name: 'Sales team' });
    tt.equal(renamed?.name, 'Sales team');
    tt.same(renamed?.config, { prompt: 'Sell', temperature: 0.3 }, 'config untouched by a name update');
    tt.same(renamed?.createdAt, named.createdAt, 'createdAt unchanged');
    tt.ok(renamed!.updatedAt.getTime() > named.updatedAt.getTime(), 'updatedAt bumped');

    const reconfigured = await store.assistants.update('sales', { config: { prompt: 'Sell more' } });
    tt.equal(reconfigured?.name, 'Sales team', 'name untouched by a config update');
    tt.same(reconfigured?.config, { prompt: 'Sell more' }, 'config replaced, not merged');
    tt.ok(reconfigured!.updatedAt.getTime() >= renamed!.updatedAt.getTime());

    tt.equal(await store.assistants.update('nobody', { name: 'x' }), undefined, 'update of a missing id → undefined');
    tt.same(await store.assistants.get('sales'), reconfigured, 'get sees the update');

    tt.equal(await store.assistants.delete('sales'), true);
    tt.equal(await store.assistants.delete('sales'), false, 'deleting twice → false');
    tt.equal(await store.assistants.get('sales'), undefined);
    tt.ok(await store.assistants.get(created.id), 'the other assistant is still there');

    const conflict = await rejection(store.assistants.create({ id: created.id, name: 'Duplicate' }));
    tt.match(conflict, { name: 'VapiError', code: 'VAPI_ERR_STORE_CONFLICT', category: 'invalid_request' }, 'duplicate id');
  });

  t.test('assistants: list is newest first and paged', async (tt) => {
    // Ids rise with creation time, so even timestamps equal to the millisecond sort the same way.
    for (let i = 1; i <= 5; i++) await store.assistants.create({ id: `asst-${i}`, name: `Assistant ${i}` });
    const ids = async (page?: { limit?: number; offset?: number }) => (await store.assistants.list(page)).map((a) => a.id);
    tt.same(await ids(), ['asst-5', 'asst-4', 'asst-3', 'asst-2', 'asst-1']);
    tt.same(await ids({ limit: 2 }), ['asst-5', 'asst-4']);
    tt.same(await ids({ limit: 2, offset: 2 }), ['asst-3', 'asst-2']);
    tt.same(await ids({ limit: 2, offset: 4 }), ['asst-1']);
    tt.same(await ids({ offset: 5 }), []);
    tt.same(await ids({ limit: 0 }), []);
    await tt.rejects(store.assistants.list({ limit: -1 }), { code: 'VAPI_ERR_STORE_PAGE', category: 'invalid_request' });
    await tt.rejects(store.assistants.list({ offset: 1.5 }), { code: 'VAPI_ERR_STORE_PAGE' });
  });

  t.test('list limits default to 50 and are capped at 500', async (tt) => {
    await client.exec(`INSERT INTO assistants (id, name) SELECT 'bulk-' || lpad(g::text, 4, '0'), 'bulk' FROM generate_series(1, 501) AS g`);
    tt.equal((await store.assistants.list()).length, 50);
    tt.equal((await store.assistants.list({ limit: 10_000 })).length, 500);
    tt.equal((await store.assistants.list({ limit: 500, offset: 500 })).length, 1);
  });

  t.test('jsonb round-trips Chinese text and nested objects', async (tt) => {
    const assistant = await store.assistants.create({ name: '前台接待', config: RICH_JSON });
    tt.same((await store.assistants.get(assistant.id))?.config, RICH_JSON);
    tt.equal(assistant.name, '前台接待');

    const call = await store.calls.create({ transport: 'sip', direction: 'inbound', metadata: RICH_JSON });
    tt.same((await store.calls.get(call.id))?.metadata, RICH_JSON);

    const event = await store.callEvents.append(call.id, 'transcript', { role: 'user', text: '我想查询订单', extra: RICH_JSON });
    tt.same((await store.callEvents.list(call.id))[0]?.payload, { role: 'user', text: '我想查询订单', extra: RICH_JSON });
    tt.same(event.payload.extra, RICH_JSON);
  });

  t.test('calls: lifecycle from ringing to ended', async (tt) => {
    const call = await store.calls.create({
      assistantId: 'receptionist',
      transport: 'sip',
      direction: 'inbound',
      status: 'ringing',
      fromNumber: '+8613800138000',
      toNumber: '+862110086',
      metadata: { carrier: 'example' },
    });
    tt.match(call.id, UUID);
    tt.match(call, {
      assistantId: 'receptionist',
      transport: 'sip',
      direction: 'inbound',
      status: 'ringing',
      fromNumber: '+8613800138000',
      toNumber: '+862110086',
      answeredAt: null,
      endedAt: null,
      endReason: null,
      metadata: { carrier: 'example' },
    });
    tt.ok(call.startedAt instanceof Date);

    const answeredAt = new Date('2024-03-01T10:00:00.123Z');
    const answered = await store.calls.update(call.id, { status: 'in-progress', answeredAt });
    tt.equal(answered?.status, 'in-progress');
    tt.same(answered?.answeredAt, answeredAt, 'timestamps round-trip to the millisecond');

    const endedAt = new Date('2024-03-01T10:05:30.456Z');
    const ended = await store.calls.update(call.id, { status: 'ended', endedAt, endReason: 'caller-hangup' });
    tt.same(ended, {
      ...call,
      status: 'ended',
      answeredAt,
      endedAt,
      endReason: 'caller-hangup',
    }, 'only the patched fields changed');
    tt.same(await store.calls.get(call.id), ended);
  });

  t.test('calls: update touches only the fields in the patch', async (tt) => {
    const call = await store.calls.create({ assistantId: 'a', transport: 'websocket', direction: 'outbound', metadata: { k: 1 } });
    tt.equal(call.status, 'queued', 'status defaults to queued');
    tt.equal(call.fromNumber, null);

    tt.same(await store.calls.update(call.id, {}), call, 'empty patch changes nothing');
    tt.same(await store.calls.update(call.id, { endReason: undefined }), call, 'an undefined value counts as absent');

    const cleared = await store.calls.update(call.id, { assistantId: null });
    tt.same(cleared, { ...call, assistantId: null }, 'null clears a field');

    const meta = await store.calls.update(call.id, { metadata: { other: true } });
    tt.same(meta?.metadata, { other: true }, 'metadata is replaced');

    tt.equal(await store.calls.update('missing', { status: 'ended' }), undefined, 'missing id → undefined');
    tt.equal(await store.calls.update('missing', {}), undefined, 'missing id with empty patch → undefined');
    tt.equal(await store.calls.get('missing'), undefined);
  });

  t.test('calls: constraints are enforced', async (tt) => {
    const badDirection = rejection(store.calls.create({ transport: 'sip', direction: 'sideways' as 'inbound' }));
    tt.match(await badDirection, { code: 'VAPI_ERR_STORE_INVALID', category: 'invalid_request' });
    const call = await store.calls.create({ transport: 'sip', direction: 'inbound' });
    tt.match(await rejection(store.calls.update(call.id, { status: 'exploded' as 'ended' })), { code: 'VAPI_ERR_STORE_INVALID' });
    tt.match(await rejection(store.calls.create({ id: call.id, transport: 'sip', direction: 'inbound' })), { code: 'VAPI_ERR_STORE_CONFLICT' });
  });

  t.test('calls: list filters by assistant and status, newest first', async (tt) => {
    const specs = [
      ['call-1', 'a', 'ended'],
      ['call-2', 'b', 'ended'],
      ['call-3', 'a', 'in-progress'],
      ['call-4', 'b', 'ringing'],
      ['call-5', 'a', 'ended'],
    ] as const;
    for (const [id, assistantId, status] of specs) await store.calls.create({ id, assistantId, status, transport: 'sip', direction: 'inbound' });
    const ids = async (filter?: Parameters<typeof store.calls.list>[0]) => (await store.calls.list(filter)).map((c) => c.id);

    tt.same(await ids(), ['call-5', 'call-4', 'call-3', 'call-2', 'call-1']);
    tt.same(await ids({ assistantId: 'a' }), ['call-5', 'call-3', 'call-1']);
    tt.same(await ids({ status: 'ended' }), ['call-5', 'call-2', 'call-1']);
    tt.same(await ids({ assistantId: 'a', status: 'ended' }), ['call-5', 'call-1']);
    tt.same(await ids({ assistantId: 'a', status: 'ended', limit: 1, offset: 1 }), ['call-1']);
    tt.same(await ids({ assistantId: 'nobody' }), []);
  });

  t.test('call events: appended in order, filtered by type, deleted with their call', async (tt) => {
    const call = await store.calls.create({ transport: 'sip', direction: 'inbound' });
    const other = await store.calls.create({ transport: 'sip', direction: 'inbound' });
    const at = new Date('2024-03-01T10:00:01.500Z');
    const appended = [
      await store.callEvents.append(call.id, 'status', { status: 'ringing' }),
      await store.callEvents.append(call.id, 'transcript', { text: '你好' }, at),
      await store.callEvents.append(other.id, 'transcript', { text: 'other call' }),
      await store.callEvents.append(call.id, 'latency', { ms: 420 }),
      await store.callEvents.append(call.id, 'transcript', { text: '再见' }),
    ];
    tt.ok(appended.every((e) => Number.isInteger(e.id)), 'ids are numbers on every driver');
    tt.ok(appended.every((e, i) => i === 0 || e.id > appended[i - 1]!.id), 'ids increase');
    tt.same(appended[1]!.at, at, 'an explicit time is kept');
    tt.ok(appended[0]!.at instanceof Date && !Number.isNaN(appended[0]!.at.getTime()), 'default time is now');

    const events = await store.callEvents.list(call.id);
    tt.same(events.map((e) => e.type), ['status', 'transcript', 'latency', 'transcript']);
    tt.same(events, appended.filter((e) => e.callId === call.id), 'list returns what append returned');
    tt.same((await store.callEvents.list(call.id, { type: 'transcript' })).map((e) => e.payload.text), ['你好', '再见']);
    tt.same(await store.callEvents.list(call.id, { type: 'nothing' }), []);
    tt.same(await store.callEvents.list('no-such-call'), []);

    await tt.rejects(store.callEvents.append('no-such-call', 'status', {}), { code: 'VAPI_ERR_STORE_REFERENCE', category: 'invalid_request' });

    // Calls are not deleted through the repositories; retention jobs do it in SQL.
    await client.query('DELETE FROM calls WHERE id = $1', [call.id]);
    tt.same(await store.callEvents.list(call.id), [], 'events went with their call');
    const [{ n }] = await client.query<{ n: number }>('SELECT count(*) AS n FROM call_events WHERE call_id = $1', [call.id]);
    tt.equal(n, 0);
    tt.equal((await store.callEvents.list(other.id)).length, 1, "another call's events stay");
  });

  t.test('call events appended at once: written in append order, one bad row fails only itself', async (tt) => {
    const calls = await Promise.all(Array.from({ length: 3 }, () => store.calls.create({ transport: 'sip', direction: 'inbound' })));
    // 1,200 appends in one go: more than one batch, interleaved across calls, one for a missing call.
    const attempts = Array.from({ length: 1200 }, (_, i) =>
      store.callEvents.append(i === 600 ? 'no-such-call' : calls[i % 3]!.id, 'tick', { i }).then(
        (event) => ({ i, event }),
        (error: unknown) => ({ i, error }),
      ),
    );
    const outcomes = await Promise.all(attempts);
    const failed = outcomes.filter((o) => 'error' in o);
    tt.equal(failed.length, 1, 'only the bad row failed');
    tt.match(failed[0], { i: 600, error: { code: 'VAPI_ERR_STORE_REFERENCE' } });
    const written = outcomes.flatMap((o) => ('event' in o ? [o.event] : []));
    tt.ok(written.every((e, k) => k === 0 || e.id > written[k - 1]!.id), 'ids follow append order');
    tt.ok(written.every((e) => e.callId === calls[(e.payload.i as number) % 3]!.id), 'each event on its own call');
    for (const call of calls) {
      const listed = (await store.callEvents.list(call.id)).map((e) => e.payload.i as number);
      tt.same(listed, [...listed].sort((a, b) => a - b), 'listed in append order');
    }
  });

  t.test('api keys: create, verify, list, revoke', async (tt) => {
    const { key, record } = await store.apiKeys.create('ci');
    tt.match(key, /^vk_[A-Za-z0-9_-]{43}$/, 'vk_ + 32 random bytes in base64url');
    tt.equal(record.prefix, key.slice(0, 8));
    tt.equal(record.name, 'ci');
    tt.match(record.id, UUID);
    tt.equal(record.lastUsedAt, null);
    tt.equal(record.revokedAt, null);

    const [row] = await client.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [record.id]);
    tt.equal(row!.key_hash, createHash('sha256').update(key).digest('hex'), 'sha256 hex of the key is stored');
    tt.notOk(Object.values(row!).some((v) => typeof v === 'string' && v.includes(key.slice(8))), 'the key itself is not stored');

    const verified = await store.apiKeys.verify(key);
    tt.equal(verified?.id, record.id);
    tt.ok(verified?.lastUsedAt instanceof Date, 'verify stamps lastUsedAt');
    tt.same((await store.apiKeys.list()).find((k) => k.id === record.id)?.lastUsedAt, verified!.lastUsedAt);

    tt.equal(await store.apiKeys.verify(`${key}x`), undefined, 'unknown key');
    tt.equal(await store.apiKeys.verify('vk_unknown'), undefined, 'unknown key');
    tt.equal(await store.apiKeys.verify(''), undefined, 'empty key');
    tt.equal(await store.apiKeys.verify(key.slice(3)), undefined, 'key without vk_');

    const second = await store.apiKeys.create('dashboard');
    tt.not(second.key, key, 'keys are random');
    const listed = await store.apiKeys.list();
    tt.same(listed.map((k) => k.id).sort(), [record.id, second.record.id].sort());
    tt.ok(listed[0]!.createdAt.getTime() >= listed[1]!.createdAt.getTime(), 'newest first');

    tt.equal(await store.apiKeys.revoke(record.id), true);
    tt.equal(await store.apiKeys.verify(key), undefined, 'a revoked key no longer verifies');
    const revokedAt = (await store.apiKeys.list()).find((k) => k.id === record.id)?.revokedAt;
    tt.ok(revokedAt instanceof Date, 'listed with revokedAt');
    tt.equal(await store.apiKeys.revoke(record.id), true, 'revoking again still reports the key exists');
    tt.same((await store.apiKeys.list()).find((k) => k.id === record.id)?.revokedAt, revokedAt, 'first revocation time kept');
    tt.equal(await store.apiKeys.revoke('no-such-key'), false);
    tt.ok(await store.apiKeys.verify(second.key), 'the other key still works');
  });

  t.test('phone numbers: create, get, list in pattern order, update, delete', async (tt) => {
    const exact = await store.phoneNumbers.create({ pattern: '4001234567', assistantId: 'sales', label: '销售热线' });
    tt.match(exact, { pattern: '4001234567', assistantId: 'sales', label: '销售热线' });
    tt.ok(exact.createdAt instanceof Date && exact.updatedAt instanceof Date);
    tt.same(await store.phoneNumbers.get('4001234567'), exact, 'get returns what create returned');
    await store.phoneNumbers.create({ pattern: '*', assistantId: 'reception' });
    await store.phoneNumbers.create({ pattern: '400*', assistantId: 'support' });
    await store.phoneNumbers.create({ pattern: '+1415*', assistantId: 'us' });
    tt.equal((await store.phoneNumbers.get('*'))?.label, null, 'label defaults to null');
    tt.equal(await store.phoneNumbers.get('4009999999'), undefined, 'no partial matching in the store: that is the router');

    // Byte order on both drivers, whatever the database collation.
    const order = ['*', '+1415*', '400*', '4001234567'];
    tt.same((await store.phoneNumbers.all()).map((r) => r.pattern), order);
    tt.same((await store.phoneNumbers.list()).map((r) => r.pattern), order);
    tt.same((await store.phoneNumbers.list({ limit: 2, offset: 1 })).map((r) => r.pattern), order.slice(1, 3));

    await new Promise((resolve) => setTimeout(resolve, 5));
    const moved = await store.phoneNumbers.update('4001234567', { assistantId: 'sales-2' });
    tt.match(moved, { assistantId: 'sales-2', label: '销售热线' }, 'label kept when not in the patch');
    tt.ok(moved!.updatedAt.getTime() > exact.updatedAt.getTime(), 'updatedAt bumped');
    tt.same(moved!.createdAt, exact.createdAt);
    tt.match(await store.phoneNumbers.update('4001234567', { label: 'Sales' }), { assistantId: 'sales-2', label: 'Sales' }, 'assistant kept');
    tt.match(await store.phoneNumbers.update('4001234567', { label: null }), { label: null }, 'null clears the label');
    tt.equal(await store.phoneNumbers.update('123', { label: 'x' }), undefined, 'update of a missing route → undefined');

    tt.match(await rejection(store.phoneNumbers.create({ pattern: '400*', assistantId: 'other' })), { code: 'VAPI_ERR_STORE_CONFLICT' }, 'one route per pattern');
    tt.match(await rejection(store.phoneNumbers.create({ pattern: '400-123', assistantId: 'x' })), { code: 'VAPI_ERR_STORE_INVALID' }, 'the table refuses what is not normalised');
    tt.match(await rejection(store.phoneNumbers.create({ pattern: '4*0', assistantId: 'x' })), { code: 'VAPI_ERR_STORE_INVALID' });
    tt.match(await rejection(store.phoneNumbers.create({ pattern: '123', assistantId: '' })), { code: 'VAPI_ERR_STORE_INVALID' }, 'an assistant is required');

    tt.equal(await store.phoneNumbers.delete('400*'), true);
    tt.equal(await store.phoneNumbers.delete('400*'), false, 'deleting twice → false');
    tt.same((await store.phoneNumbers.all()).map((r) => r.pattern), ['*', '+1415*', '4001234567']);
  });

  t.test('concurrent writes do not lose or duplicate rows', async (tt) => {
    const assistants = await Promise.all(Array.from({ length: 40 }, (_, i) => store.assistants.create({ name: `a${i}` })));
    tt.equal(new Set(assistants.map((a) => a.id)).size, 40);
    tt.equal((await store.assistants.list({ limit: 100 })).length, 40);

    const call = await store.calls.create({ transport: 'sip', direction: 'inbound' });
    const events = await Promise.all(Array.from({ length: 100 }, (_, i) => store.callEvents.append(call.id, 'tick', { i })));
    tt.equal(new Set(events.map((e) => e.id)).size, 100, 'distinct ids');
    const listed = await store.callEvents.list(call.id);
    tt.equal(listed.length, 100);
    tt.ok(listed.every((e, i) => i === 0 || e.id > listed[i - 1]!.id), 'listed in id order');
    tt.same(listed.map((e) => e.payload.i).sort((a, b) => (a as number) - (b as number)), Array.from({ length: 100 }, (_, i) => i));

    // Patches of different fields at once: each touches only its own column, so none is lost.
    await Promise.all([
      store.calls.update(call.id, { status: 'in-progress' }),
      store.calls.update(call.id, { endReason: 'assistant-ended' }),
      store.calls.update(call.id, { metadata: { tag: 'x' } }),
      store.calls.update(call.id, { assistantId: 'concurrent' }),
    ]);
    tt.match(await store.calls.get(call.id), { status: 'in-progress', endReason: 'assistant-ended', metadata: { tag: 'x' }, assistantId: 'concurrent' });
  });

  t.test('transactions commit, roll back and rethrow the error unchanged', async (tt) => {
    await client.transaction(async (tx) => {
      await tx.query(`INSERT INTO assistants (id, name) VALUES ('committed', 'c')`);
    });
    tt.ok(await store.assistants.get('committed'));

    const thrown = new Error('stop');
    const caught = await rejection(
      client.transaction(async (tx) => {
        await tx.query(`INSERT INTO assistants (id, name) VALUES ('rolled-back', 'r')`);
        throw thrown;
      }),
    );
    tt.equal(caught, thrown, 'the same error object');
    tt.equal(await store.assistants.get('rolled-back'), undefined);

    await tt.rejects(
      client.transaction(async (tx) => {
        await tx.query(`INSERT INTO assistants (id, name) VALUES ('nested-outer', 'o')`);
        await tx.transaction(async (inner) => {
          await inner.query(`INSERT INTO assistants (id, name) VALUES ('nested-inner', 'i')`);
          throw new Error('inner');
        });
      }),
      { message: 'inner' },
    );
    tt.same(await store.assistants.list(), [await store.assistants.get('committed')], 'a nested transaction joins the outer one');

    await tt.rejects(
      client.transaction(async (tx) => {
        await tx.query(`INSERT INTO assistants (id, name) VALUES ('before-error', 'b')`);
        await tx.query('SELECT * FROM no_such_table');
      }),
      { code: 'VAPI_ERR_STORE_QUERY', retryable: false },
    );
    tt.equal(await store.assistants.get('before-error'), undefined);
    tt.ok(await store.assistants.get('committed'), 'the client still works after a failed transaction');
  });

  t.test('query errors are VapiErrors', async (tt) => {
    const err = await rejection(client.query('SELEKT 1'));
    tt.match(err, { name: 'VapiError', code: 'VAPI_ERR_STORE_QUERY', category: 'server', retryable: false, details: { sqlState: '42601' } });
  });

  // Runs last: it closes the shared store.
  t.test('close is idempotent; a closed store rejects', async (tt) => {
    await store.ping();
    await store.close();
    await store.close();
    await tt.rejects(store.ping(), { name: 'VapiError', code: 'VAPI_ERR_STORE_CLOSED' });
    await tt.rejects(store.assistants.list(), { code: 'VAPI_ERR_STORE_CLOSED' });
    await tt.rejects(client.exec('SELECT 1'), { code: 'VAPI_ERR_STORE_CLOSED' });
    await tt.rejects(client.transaction(async () => 1), { code: 'VAPI_ERR_STORE_CLOSED' });
  });
}
