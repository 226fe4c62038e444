/**
 * `POST /v1/calls` requests that cannot be placed (no transport that dials, an unknown one,
 * several, an unknown assistant, bad fields) are refused with 400 and open no call; a hang-up for
 * a call another node runs goes over the bus, and each node ends its own.
 */
import t from 'tap';
import { coreRefs, transportRefs, type CallLeg, type Transport } from '@vapi-cn/sdk-plugin-api';
import { HANGUP_TOPIC } from '../../src/call/call-control.js';
import { eventually } from '../bus/wait-for.js';
import { outboundServer } from '../call/outbound-server.js';

t.test('which transport dials, and requests refused with 400', async (t) => {
  const bare = await outboundServer(t, { 'fake-providers': {} });
  const none = await bare.api('/v1/calls', { method: 'POST', body: { assistantId: 'sales', to: '13800138000' } });
  t.equal(none.status, 400);
  t.match(none.body, { error: { code: 'VAPI_ERR_CALL_NO_TRANSPORT', message: /no enabled transport can place outbound calls/, fix: /transport-freeswitch/ } });
  t.same(await bare.store.calls.list(), [], 'no record for a call that cannot be placed');

  const { kernel, api, transport, store } = await outboundServer(t);
  const post = (body: Record<string, unknown>) => api('/v1/calls', { method: 'POST', body: { assistantId: 'sales', to: '13800138000', ...body } });
  t.match(await post({ assistantId: 'nobody' }), { status: 400, body: { error: { code: 'VAPI_ERR_ASSISTANT_NOT_FOUND', fix: /POST \/v1\/assistants/ } } });
  t.match(await post({ transport: 'sip' }), { status: 400, body: { error: { code: 'VAPI_ERR_CALL_TRANSPORT', message: /no enabled transport is named 'sip'/, fix: /test/ } } });
  t.match(await post({ to: '' }), { status: 400, body: { error: { code: 'VAPI_ERR_HTTP_VALIDATION' } } });
  t.match(await post({ timeoutMs: 10 }), { status: 400, body: { error: { code: 'VAPI_ERR_HTTP_VALIDATION' } } });
  t.match(await api('/v1/calls', { method: 'POST', body: { to: '13800138000' } }), { status: 400 }, 'assistantId is required');

  const web: Transport = { name: 'web', onCall: () => {} };
  kernel.container.add(transportRefs.transports, 'web', web, 'test');
  t.match(await post({ transport: 'web' }), { status: 400, body: { error: { code: 'VAPI_ERR_CALL_TRANSPORT', message: /'web' transport cannot place outbound calls/, fix: /test/ } } });
  const second: Transport = { name: 'second', onCall: () => {}, dial: () => new Promise<CallLeg>(() => {}) };
  kernel.container.add(transportRefs.transports, 'second', second, 'test');
  t.match(await post({}), { status: 400, body: { error: { code: 'VAPI_ERR_CALL_TRANSPORT', message: /several transports/, fix: /"transport": one of test, second/ } } });
  t.same(await store.calls.list(), [], 'none of these opened a call');

  const named = await post({ transport: 'test' });
  t.equal(named.status, 201, 'naming one settles it');
  t.equal((await transport.nextDial()).request.callId, named.body.id);
});


t.test('a hang-up for a call on another node goes over the bus; each node ends its own calls', async (t) => {
  const { kernel, api, store } = await outboundServer(t);
  const bus = kernel.resolve(coreRefs.bus);
  const requests: unknown[] = [];
  await bus.subscribe(HANGUP_TOPIC, (message) => void requests.push(message));
  // A call another node runs: in the shared store, not in this node's calls.
  const elsewhere = await store.calls.create({ transport: 'freeswitch', direction: 'outbound', status: 'in-progress' });
  const asked = await api(`/v1/calls/${elsewhere.id}`, { method: 'DELETE' });
  t.equal(asked.status, 202);
  t.match(asked.body, { id: elsewhere.id, status: 'in-progress' });
  await eventually(() => requests.length > 0, 'the request on the bus');
  t.same(requests, [{ callId: elsewhere.id }]);

  const local = await kernel.resolve(coreRefs.calls).open({ transport: 'test', direction: 'inbound' });
  await local.answered();
  await bus.publish(HANGUP_TOPIC, { callId: local.id });
  await eventually(async () => (await store.calls.get(local.id))?.status === 'ended', 'the local call to end');
  t.match(await store.calls.get(local.id), { endReason: 'api-hangup' });
});

