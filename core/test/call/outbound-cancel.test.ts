/**
 * Ending outbound calls before the answer: DELETE cancels and aborts the dial (a leg answered
 * anyway is hung up), a transport that never settles is given up on, and shutdown aborts dials.
 */
import t from 'tap';
import type { Kernel } from '../../src/kernel/kernel.js';
import { eventually } from '../bus/wait-for.js';
import { outboundServer } from './outbound-server.js';

t.test('DELETE cancels a call being dialled; a leg answered after that is hung up', async (t) => {
  const { transport, api, store, endedAs } = await outboundServer(t);
  const { body } = await api('/v1/calls', { method: 'POST', body: { assistantId: 'sales', to: '13800138000' } });
  const dial = await transport.nextDial();
  dial.progress('ringing');
  const cancelled = await api(`/v1/calls/${body.id}`, { method: 'DELETE' });
  t.equal(cancelled.status, 200);
  t.match(cancelled.body, { status: 'ended', endReason: 'cancelled' });
  t.ok(dial.aborted, "the transport's dial was aborted");
  t.same((await store.callEvents.list(body.id, { type: 'error' })), [], 'a cancel is not an error');
  t.match(await api(`/v1/calls/${body.id}`, { method: 'DELETE' }), { status: 409, body: { error: { code: 'VAPI_ERR_HTTP_CONFLICT', message: /already ended \(cancelled\)/ } } });

  transport.ignoreAbort = true;
  const late = (await api('/v1/calls', { method: 'POST', body: { assistantId: 'sales', to: '13800138000' } })).body;
  const lateDial = await transport.nextDial();
  await api(`/v1/calls/${late.id}`, { method: 'DELETE' });
  const leg = lateDial.answer();
  await eventually(() => leg.hungUp !== undefined, 'the late leg to be hung up');
  t.equal(leg.hungUp, 'cancelled');
  t.match(await endedAs(late.id), { endReason: 'cancelled', answeredAt: null }, 'the record keeps the cancel');

  t.match(await api('/v1/calls/no-such-call', { method: 'DELETE' }), { status: 404, body: { error: { code: 'VAPI_ERR_HTTP_NOT_FOUND' } } });
});


t.test('a transport that never settles: the call ends failed after the ringing time and a grace', async (t) => {
  const { clock, transport, api, store, endedAs } = await outboundServer(t);
  const { body } = await api('/v1/calls', { method: 'POST', body: { assistantId: 'sales', to: '13800138000', timeoutMs: 1000 } });
  transport.ignoreAbort = true;
  const dial = await transport.nextDial();
  await clock.advance(30_000);
  t.equal((await store.calls.get(body.id))?.status, 'queued', 'still waiting within the grace');
  await clock.advance(1_500);
  t.match(await endedAs(body.id), { endReason: 'failed' });
  t.match(await store.callEvents.list(body.id, { type: 'error' }), [{ payload: { code: 'VAPI_ERR_DIAL_TIMEOUT' } }]);
  t.ok(dial.aborted, 'the dial was aborted');
});


t.test('server shutdown aborts calls being dialled', async (t) => {
  const { kernel, transport, api } = await outboundServer(t);
  const { body } = await api('/v1/calls', { method: 'POST', body: { assistantId: 'sales', to: '13800138000' } });
  const dial = await transport.nextDial();
  const ended: string[] = [];
  kernel.calls.get(body.id)!.onEnd((reason) => void ended.push(reason));
  await (kernel as Kernel).stop('test');
  t.same(ended, ['server-shutdown']);
  t.ok(dial.aborted);
});
