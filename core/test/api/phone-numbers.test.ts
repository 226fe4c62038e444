/**
 * `/v1/phone-numbers` end to end: CRUD with normalised patterns, the errors (400 naming the fix,
 * 404, 409, 401), and routing that follows every write at once (across nodes:
 * phone-numbers-nodes.test.ts).
 */
import t from 'tap';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { startKernel, testConfig } from '../helpers.js';
import { client } from './api-client.js';

t.test('CRUD with patterns normalised on the way in, and routing that follows each write', async (t) => {
  const { kernel } = await startKernel(t, testConfig({ auth: { enabled: true }, numbers: { '*': 'reception' } }));
  const store = kernel.resolve(coreRefs.store);
  const { key } = await store.apiKeys.create('test');
  for (const id of ['sales', 'support', 'reception']) await store.assistants.create({ id, name: id });
  const api = client(kernel.url, key);
  const router = kernel.resolve(coreRefs.numberRouter);
  t.same(await router.route('4001234567'), { assistantId: 'reception', pattern: '*', source: 'config' }, 'the config route before any store route');

  t.equal((await client(kernel.url)('/v1/phone-numbers')).status, 401, 'an API key is required');

  const created = await api('/v1/phone-numbers', { method: 'POST', body: { pattern: '+86 400-123-4567', assistantId: 'sales', label: 'Sales hotline' } });
  t.equal(created.status, 201);
  t.match(created.body, { pattern: '4001234567', assistantId: 'sales', label: 'Sales hotline' });
  t.same(await router.route('+86 400 123 4567'), { assistantId: 'sales', pattern: '4001234567', source: 'store' }, 'routed by the new route at once');

  const duplicate = await api('/v1/phone-numbers', { method: 'POST', body: { pattern: '400 123 4567', assistantId: 'support' } });
  t.equal(duplicate.status, 409, 'the same number written another way is the same route');
  t.match(duplicate.body, { error: { code: 'VAPI_ERR_HTTP_CONFLICT', fix: /PUT \/v1\/phone-numbers\/4001234567/ } });

  t.equal((await api('/v1/phone-numbers', { method: 'POST', body: { pattern: '400*', assistantId: 'support' } })).status, 201);
  t.equal((await api('/v1/phone-numbers', { method: 'POST', body: { pattern: '*', assistantId: 'reception' } })).status, 201);
  t.same((await api('/v1/phone-numbers')).body.map((r: { pattern: string }) => r.pattern), ['*', '400*', '4001234567']);
  t.same((await api('/v1/phone-numbers?limit=1&offset=1')).body.map((r: { pattern: string }) => r.pattern), ['400*']);

  // Path forms: a number written with + and spaces (URL-encoded), a prefix, the star.
  t.match((await api(`/v1/phone-numbers/${encodeURIComponent('+86 400-123-4567')}`)).body, { pattern: '4001234567', assistantId: 'sales' });
  t.match((await api('/v1/phone-numbers/400*')).body, { pattern: '400*', assistantId: 'support' });
  t.match((await api('/v1/phone-numbers/*')).body, { pattern: '*', assistantId: 'reception' });
  t.same(await router.route('4009999999'), { assistantId: 'support', pattern: '400*', source: 'store' });

  const moved = await api('/v1/phone-numbers/400*', { method: 'PUT', body: { assistantId: 'sales', label: null } });
  t.equal(moved.status, 200);
  t.match(moved.body, { pattern: '400*', assistantId: 'sales', label: null });
  t.equal((await router.route('4009999999'))?.assistantId, 'sales', 'a PUT is routed at once');

  t.equal((await api(`/v1/phone-numbers/${encodeURIComponent('400-123-4567')}`, { method: 'DELETE' })).status, 204);
  t.same(await router.route('4001234567'), { assistantId: 'sales', pattern: '400*', source: 'store' }, 'after a DELETE, the next route matches');
  t.equal((await api('/v1/phone-numbers/*', { method: 'DELETE' })).status, 204);
  t.same(await router.route('13800138000'), { assistantId: 'reception', pattern: '*', source: 'config' }, 'back to the config route');
  t.same((await api('/v1/phone-numbers')).body.map((r: { pattern: string }) => r.pattern), ['400*']);

  const doc = (await (await fetch(`${kernel.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  t.ok(doc.paths['/v1/phone-numbers']?.post, 'POST /v1/phone-numbers in the OpenAPI document');
  t.ok(doc.paths['/v1/phone-numbers/{pattern}']?.put, 'PUT /v1/phone-numbers/{pattern} too');
});

t.test('errors: a bad pattern names the fix; unknown routes 404; unknown assistants 400', async (t) => {
  const { kernel } = await startKernel(t, testConfig());
  await kernel.resolve(coreRefs.store).assistants.create({ id: 'sales', name: 'Sales' });
  const api = client(kernel.url);

  for (const pattern of ['400*123', 'sales', '+86*', '1'.repeat(21)]) {
    const bad = await api('/v1/phone-numbers', { method: 'POST', body: { pattern, assistantId: 'sales' } });
    t.equal(bad.status, 400, pattern);
    t.match(bad.body, { error: { code: 'VAPI_ERR_NUMBER_PATTERN', message: /is not a number pattern/, fix: /prefix ending in \*/ } }, pattern);
  }
  t.match(await api('/v1/phone-numbers/abc'), { status: 400, body: { error: { code: 'VAPI_ERR_NUMBER_PATTERN' } } }, 'in the path too');
  t.match(await api('/v1/phone-numbers', { method: 'POST', body: { pattern: '400*', assistantId: 'nobody' } }), {
    status: 400,
    body: { error: { code: 'VAPI_ERR_ASSISTANT_NOT_FOUND', fix: /POST \/v1\/assistants/ } },
  });
  t.match(await api('/v1/phone-numbers', { method: 'POST', body: { pattern: '400*' } }), { status: 400, body: { error: { code: 'VAPI_ERR_HTTP_VALIDATION' } } }, 'assistantId is required');
  t.match(await api('/v1/phone-numbers/4001234567'), { status: 404, body: { error: { code: 'VAPI_ERR_HTTP_NOT_FOUND', fix: /POST \/v1\/phone-numbers/ } } });
  t.match(await api('/v1/phone-numbers/4001234567', { method: 'PUT', body: { label: 'x' } }), { status: 404 });
  t.match(await api('/v1/phone-numbers/4001234567', { method: 'DELETE' }), { status: 404 });

  t.equal((await api('/v1/phone-numbers', { method: 'POST', body: { pattern: '400*', assistantId: 'sales' } })).status, 201);
  t.match(await api('/v1/phone-numbers/400*', { method: 'PUT', body: {} }), { status: 400 }, 'an empty change is refused');
  t.match(await api('/v1/phone-numbers/400*', { method: 'PUT', body: { assistantId: 'nobody' } }), { status: 400, body: { error: { code: 'VAPI_ERR_ASSISTANT_NOT_FOUND' } } });
  t.match((await api('/v1/phone-numbers/400*')).body, { assistantId: 'sales' }, 'unchanged after the refused PUT');
});

t.test('config routes to a missing assistant are logged at start with the fix', async (t) => {
  const { logs } = await startKernel(t, testConfig({ assistants: { sales: {} }, numbers: { '4001234567': 'sales', '400*': 'ghost', '800*': 'ghost' } }));
  const warnings = logs.lines.filter((l) => l.msg === 'numbers: routes calls to an assistant that does not exist');
  t.match(warnings, [{ level: 'warn', assistantId: 'ghost', fix: /POST \/v1\/assistants/ }], 'once per missing assistant, none for a seeded one');
});
