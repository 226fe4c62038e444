import t from 'tap';
import WebSocket from 'ws';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { startKernel, testConfig } from '../helpers.js';

t.test('health, readiness, metrics and the OpenAPI document', async (t) => {
  const { kernel } = await startKernel(t, testConfig({ plugins: { greeter: {} } }));
  const health = await fetch(`${kernel.url}/health`);
  t.equal(health.status, 200);
  t.match(await health.json(), { status: 'ok' });
  const ready = await fetch(`${kernel.url}/ready`);
  t.equal(ready.status, 200);
  t.match(await ready.json(), { status: 'ready', store: 'ok', plugins: ['greeter'] });
  const metrics = await (await fetch(`${kernel.url}/metrics`)).text();
  t.match(metrics, /vapi_kernel_plugins 1/);
  t.match(metrics, /vapi_kernel_plugin_phase_seconds_bucket\{.*plugin="greeter",phase="setup"/);
  t.match(metrics, /vapi_calls_active 0/);
  const doc = (await (await fetch(`${kernel.url}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  t.match(doc.openapi, /^3\./);
  t.ok(doc.paths['/greeter/hello'], 'plugin routes are documented');
  t.ok(doc.paths['/v1/assistants/{id}'], 'core REST routes are documented');
  t.equal((await fetch(`${kernel.url}/docs`)).status, 200, 'the docs page is served');
});

t.test('API keys guard routes unless a route says otherwise', async (t) => {
  const { kernel } = await startKernel(t, testConfig({ auth: { enabled: true }, plugins: { greeter: {} } }));
  const store = kernel.resolve(coreRefs.store);
  const { key, record } = await store.apiKeys.create('test');
  t.equal((await fetch(`${kernel.url}/greeter/hello`)).status, 200, 'auth: none');
  const denied = await fetch(`${kernel.url}/greeter/secret`);
  t.equal(denied.status, 401);
  t.match(await denied.json(), { error: { code: 'VAPI_ERR_AUTH_MISSING_KEY', fix: /Authorization: Bearer/ } });
  t.equal((await fetch(`${kernel.url}/greeter/secret`, { headers: { authorization: 'Bearer nope' } })).status, 401);
  t.equal((await fetch(`${kernel.url}/greeter/secret`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
  t.equal((await fetch(`${kernel.url}/greeter/secret?api_key=${key}`)).status, 200);
  t.equal((await fetch(`${kernel.url}/v1/assistants`)).status, 401);
  const unknown = await fetch(`${kernel.url}/no/such/route`);
  t.equal(unknown.status, 404);
  t.match(await unknown.json(), { error: { code: 'VAPI_ERR_HTTP_NOT_FOUND' } });
  await store.apiKeys.revoke(record.id);
  const fresh = await store.apiKeys.create('other');
  t.equal((await fetch(`${kernel.url}/greeter/secret`, { headers: { authorization: `Bearer ${fresh.key}` } })).status, 200);
});

t.test('REST: assistants CRUD and calls with their events', async (t) => {
  const { kernel } = await startKernel(t, testConfig());
  const api = (path: string, init?: RequestInit) => fetch(`${kernel.url}${path}`, { ...init, headers: init?.body ? { 'content-type': 'application/json' } : {} });
  const created = await api('/v1/assistants', { method: 'POST', body: JSON.stringify({ id: 'sales', name: '销售', config: { firstMessage: '您好' } }) });
  t.equal(created.status, 201);
  t.equal((await api('/v1/assistants', { method: 'POST', body: JSON.stringify({ id: 'sales', name: 'x' }) })).status, 409);
  const invalid = await api('/v1/assistants', { method: 'POST', body: JSON.stringify({ nam: 'x' }) });
  t.equal(invalid.status, 400);
  t.match(await invalid.json(), { error: { code: 'VAPI_ERR_HTTP_VALIDATION' } });
  const updated = await api('/v1/assistants/sales', { method: 'PUT', body: JSON.stringify({ config: { firstMessage: '你好' } }) });
  t.match(await updated.json(), { id: 'sales', name: '销售', config: { firstMessage: '你好' } });
  t.equal((await api('/v1/assistants/nobody')).status, 404);

  const call = await kernel.resolve(coreRefs.calls).open({ transport: 'test', direction: 'inbound', assistantId: 'sales' });
  await call.event('latency', { voiceToVoiceMs: 640 });
  await call.end('assistant-ended');
  const list = (await (await api('/v1/calls?assistantId=sales')).json()) as Array<{ id: string }>;
  t.same(list.map((c) => c.id), [call.id]);
  t.match(await (await api(`/v1/calls/${call.id}`)).json(), { status: 'ended', events: [{ type: 'latency', payload: { voiceToVoiceMs: 640 } }] });
  t.equal((await api('/v1/assistants/sales', { method: 'DELETE' })).status, 204);
});

t.test('assistant secrets are write-only: redacted in responses, kept when PUT back redacted', async (t) => {
  const { kernel } = await startKernel(t, testConfig());
  const api = (path: string, init?: RequestInit) => fetch(`${kernel.url}${path}`, { ...init, headers: init?.body ? { 'content-type': 'application/json' } : {} });
  const config = { server: { url: 'https://hooks.example.com/vapi', secret: 'whsec-original' }, tts: { provider: 'acme', extra: { apiKey: 'sk-acme-1' } } };
  const created = (await (await api('/v1/assistants', { method: 'POST', body: JSON.stringify({ id: 'sec', name: 'Secrets', config }) })).json()) as { config: typeof config };
  t.same(created.config, { server: { url: 'https://hooks.example.com/vapi', secret: '[redacted]' }, tts: { provider: 'acme', extra: { apiKey: '[redacted]' } } });
  const listed = await (await api('/v1/assistants')).text();
  t.notMatch(listed, /whsec-original|sk-acme-1/);
  // Read, change the voice, write back: the secrets must survive.
  const read = (await (await api('/v1/assistants/sec')).json()) as { config: Record<string, Record<string, unknown>> };
  read.config.tts!.voice = 'warm';
  t.equal((await api('/v1/assistants/sec', { method: 'PUT', body: JSON.stringify({ config: read.config }) })).status, 200);
  const store = kernel.resolve(coreRefs.store);
  t.match((await store.assistants.get('sec'))!.config, { server: { secret: 'whsec-original' }, tts: { voice: 'warm', extra: { apiKey: 'sk-acme-1' } } });
  // A new secret replaces the old one.
  read.config.server!.secret = 'whsec-rotated';
  await api('/v1/assistants/sec', { method: 'PUT', body: JSON.stringify({ config: read.config }) });
  t.match((await store.assistants.get('sec'))!.config, { server: { secret: 'whsec-rotated' } });
});

t.test('plugin WebSocket routes: params, auth and unknown paths', async (t) => {
  const { kernel } = await startKernel(t, testConfig({ auth: { enabled: true }, plugins: { greeter: { options: { greeting: 'hey' } } } }));
  const { key } = await kernel.resolve(coreRefs.store).apiKeys.create('ws');
  const wsUrl = kernel.url.replace('http', 'ws');
  const ws = new WebSocket(`${wsUrl}/greeter/ws/lobby?api_key=${key}`);
  const messages: string[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      messages.push(data.toString());
      if (messages.length === 1) ws.send('there');
      if (messages.length === 2) resolve();
    });
    ws.on('error', reject);
  });
  t.same(messages, ['{"room":"lobby"}', 'hey there']);
  ws.close();
  const statusOf = (url: string) =>
    new Promise<number>((resolve) => {
      const client = new WebSocket(url);
      client.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      client.on('open', () => resolve(101));
      client.on('error', () => {});
    });
  t.equal(await statusOf(`${wsUrl}/greeter/ws/lobby`), 401);
  t.equal(await statusOf(`${wsUrl}/nothing/here`), 404);
});

t.test('/ready answers 503 while draining', async (t) => {
  const { kernel } = await startKernel(t, testConfig({ server: { host: '127.0.0.1', port: 0, drainTimeoutMs: 1000 } }));
  const call = await kernel.resolve(coreRefs.calls).open({ transport: 'test', direction: 'inbound' });
  const stopping = kernel.stop('test');
  const ready = await fetch(`${kernel.url}/ready`);
  t.equal(ready.status, 503);
  t.match(await ready.json(), { phase: 'draining' });
  t.equal((await fetch(`${kernel.url}/health`)).status, 200, 'still alive while draining');
  await call.end('caller-hangup');
  await stopping;
});
