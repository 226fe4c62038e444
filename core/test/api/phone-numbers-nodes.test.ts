/**
 * Two servers on one PostgreSQL and one Redis: a number route written through one node's API is
 * routed by the other within moments, with no restart and no per-call database read.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { openPostgresClient } from '../../src/store/postgres-client.js';
import { startKernel, testConfig } from '../helpers.js';
import { client } from './api-client.js';

t.test('two nodes on PostgreSQL and Redis: a route written through one is routed by the other', async (t) => {
  const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const run = `vapi_test_${randomBytes(6).toString('hex')}`;
  const admin = await openPostgresClient({ url: adminUrl });
  await admin.exec(`CREATE DATABASE ${run}`);
  t.teardown(async () => {
    await admin.exec(`DROP DATABASE IF EXISTS ${run} WITH (FORCE)`);
    await admin.close();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${run}`;
  const shared = {
    store: { driver: 'postgres', url: url.toString() },
    bus: { driver: 'redis', url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: `${run}.` },
    assistants: { sales: {}, support: {} },
  };
  const nodeA = (await startKernel(t, testConfig(shared))).kernel;
  const nodeB = (await startKernel(t, testConfig(shared))).kernel;
  const routerB = nodeB.resolve(coreRefs.numberRouter);
  t.equal(await routerB.route('4001234567'), undefined, 'no route yet');

  const created = await client(nodeA.url)('/v1/phone-numbers', { method: 'POST', body: { pattern: '400*', assistantId: 'sales' } });
  t.equal(created.status, 201);
  const routed = async (assistantId: string) => {
    const deadline = Date.now() + 5_000;
    while ((await routerB.route('4001234567'))?.assistantId !== assistantId) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  };
  t.ok(await routed('sales'), 'node B routes by the route node A created');
  t.equal((await client(nodeA.url)('/v1/phone-numbers/400*', { method: 'PUT', body: { assistantId: 'support' } })).status, 200);
  t.ok(await routed('support'), 'and by the change node A made');
});
