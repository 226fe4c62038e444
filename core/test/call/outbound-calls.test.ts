/**
 * Outbound calls through the API, with a transport whose dial() the test scripts as a carrier
 * would: the record is opened first and answered at once; progress moves it to ringing; an
 * answered leg runs its conversation on the same call; busy, no-answer and failures end it with
 * the outcome and the cause.
 */
import t from 'tap';
import type { DialOutcome } from '@vapi-cn/sdk-plugin-api';
import { eventually } from '../bus/wait-for.js';
import { outboundServer, stage } from './outbound-server.js';

t.test('answered: queued, then ringing, then the conversation runs on the same call', async (t) => {
  const { kernel, logs, clock, store, transport, api, record } = await outboundServer(t, {
    'stage-vad-webrtc': stage('stage-vad-webrtc'),
    'stage-resample-speex': stage('stage-resample-speex'),
    'stage-pacer': stage('stage-pacer'),
    'fake-providers': {},
    'test-transport': {},
  });
  const placed = await api('/v1/calls', {
    method: 'POST',
    body: { assistantId: 'sales', to: '+86 138 0013 8000', from: '4001234567', carrier: 'acme', variables: { shop: 'the shop' }, timeoutMs: 30_000 },
  });
  t.equal(placed.status, 201);
  t.match(placed.body, { status: 'queued', direction: 'outbound', transport: 'test', assistantId: 'sales', toNumber: '+86 138 0013 8000', fromNumber: '4001234567', metadata: { carrier: 'acme' }, answeredAt: null });
  const id = placed.body.id as string;

  const dial = await transport.nextDial();
  t.match(dial.request, { callId: id, to: '+86 138 0013 8000', from: '4001234567', carrier: 'acme', assistantId: 'sales', timeoutMs: 30_000, variables: { shop: 'the shop' } });
  t.ok(dial.request.signal instanceof AbortSignal && !dial.request.signal.aborted, 'a live abort signal');

  dial.progress('ringing');
  await eventually(async () => (await record(id)).status === 'ringing', 'the record to say ringing');
  dial.progress('early-media');
  await eventually(async () => (await store.callEvents.list(id, { type: 'progress' })).length === 2, 'both progress events');
  t.same((await store.callEvents.list(id, { type: 'progress' })).map((e) => e.payload), [{ progress: 'ringing' }, { progress: 'early-media' }]);

  const leg = dial.answer();
  await eventually(async () => (await record(id)).status === 'in-progress', 'the answer');
  t.same(kernel.calls.active().map((c) => c.id), [id], 'the answered leg runs on the call opened for it, not a new one');
  await clock.advance(1500);
  t.ok(leg.botAudioAfter(0) > 0, 'the callee heard the greeting');
  const talking = leg.say(500).then(() => leg.silence(600));
  await clock.advance(2500);
  await talking;
  await eventually(async () => (await store.callEvents.list(id, { type: 'transcript' })).length >= 3, 'the reply');
  t.match((await store.callEvents.list(id, { type: 'transcript' })).map((e) => e.payload), [
    { role: 'assistant', text: 'Welcome to the shop.' },
    { role: 'user', text: 'hello there' },
    { role: 'assistant', text: 'Hello, how can I help?' },
  ]);
  t.equal((await store.calls.list()).length, 1, 'one record for the whole call');
  t.match(await record(id), { status: 'in-progress', direction: 'outbound', answeredAt: Date });

  const hungUp = await api(`/v1/calls/${id}`, { method: 'DELETE' });
  t.equal(hungUp.status, 200);
  t.match(hungUp.body, { id, status: 'ended', endReason: 'api-hangup' });
  t.equal(leg.hungUp, 'api-hangup', 'the leg was hung up');
  t.notOk(JSON.stringify(logs.lines).includes('13800138000'), 'the number called is never logged');
});


t.test('not answered: busy, no-answer and failed end the call with the outcome and the cause', async (t) => {
  const { transport, api, store, endedAs } = await outboundServer(t);
  const causes: Record<DialOutcome, string> = { busy: 'USER_BUSY', 'no-answer': 'NO_ANSWER', failed: 'NO_ROUTE_DESTINATION' };
  for (const [outcome, cause] of Object.entries(causes) as Array<[DialOutcome, string]>) {
    const { body } = await api('/v1/calls', { method: 'POST', body: { assistantId: 'sales', to: '13800138000' } });
    const dial = await transport.nextDial();
    if (outcome === 'no-answer') dial.progress('ringing');
    dial.refuse(outcome, cause);
    t.match(await endedAs(body.id), { status: 'ended', endReason: outcome, answeredAt: null }, outcome);
    const errors = await store.callEvents.list(body.id, { type: 'error' });
    t.match(errors, [{ payload: { code: `VAPI_ERR_DIAL_${outcome.replace('-', '_').toUpperCase()}`, outcome, cause } }], `${outcome}: the error with its code and cause`);
  }

  const crashed = (await api('/v1/calls', { method: 'POST', body: { assistantId: 'sales', to: '13800138000' } })).body;
  (await transport.nextDial()).crash(new Error('socket closed'));
  t.match(await endedAs(crashed.id), { endReason: 'failed' }, 'anything else is failed');
  t.match(await store.callEvents.list(crashed.id, { type: 'error' }), [{ payload: { code: 'VAPI_ERR_DIAL_FAILED', outcome: 'failed', message: 'socket closed' } }]);

  const misfiled = (await api('/v1/calls', { method: 'POST', body: { assistantId: 'sales', to: '13800138000' } })).body;
  const leg = (await transport.nextDial()).answer({ id: 'some-other-id' });
  t.match(await endedAs(misfiled.id), { endReason: 'failed' }, 'a leg under another id is a transport bug');
  t.match(await store.callEvents.list(misfiled.id, { type: 'error' }), [{ payload: { code: 'VAPI_ERR_DIAL_LEG_ID' } }]);
  t.equal(leg.hungUp, 'failed', 'and is hung up');
});

