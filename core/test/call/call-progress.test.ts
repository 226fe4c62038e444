/** CallScope.progress(): queued → ringing with a `progress` event; never after the answer or the end. */
import t from 'tap';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { startKernel, testConfig } from '../helpers.js';

t.test('progress moves a queued call to ringing, and a late report never moves it back', async (t) => {
  const { kernel } = await startKernel(t, testConfig());
  const calls = kernel.resolve(coreRefs.calls);
  const store = kernel.resolve(coreRefs.store);

  const call = await calls.open({ transport: 'test', direction: 'outbound', status: 'queued' });
  t.equal(call.record.status, 'queued', 'an outbound call starts queued when asked');
  await call.progress('ringing');
  t.equal((await store.calls.get(call.id))?.status, 'ringing');
  // Reported and answered in the same tick: the writes land in the order they were made.
  void call.progress('early-media');
  await call.answered();
  await call.progress('ringing');
  t.match(await store.calls.get(call.id), { status: 'in-progress', answeredAt: Date });
  t.same((await store.callEvents.list(call.id, { type: 'progress' })).map((e) => e.payload), [{ progress: 'ringing' }, { progress: 'early-media' }], 'nothing recorded after the answer');

  const cancelled = await calls.open({ transport: 'test', direction: 'outbound', status: 'queued' });
  await cancelled.end('cancelled');
  await cancelled.progress('ringing');
  t.match(await store.calls.get(cancelled.id), { status: 'ended', endReason: 'cancelled' }, 'nothing after the end');
  t.same(await store.callEvents.list(cancelled.id), []);

  const inbound = await calls.open({ transport: 'test', direction: 'inbound' });
  t.equal(inbound.record.status, 'ringing', 'arriving calls still start ringing');
});
