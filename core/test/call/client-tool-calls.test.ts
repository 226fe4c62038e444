import t from 'tap';
import { VirtualClock } from '@vapi-cn/sdk-plugin-api/testkit';
import { ClientToolCalls } from '../../src/call/client-tool-calls.js';

t.test('a wait ends once: with the result, and a second result is late', async (t) => {
  const calls = new ClientToolCalls(new VirtualClock());
  const answer = calls.wait('c1', 'lookup', 1000, new AbortController().signal);
  t.equal(calls.size, 1);
  t.equal(calls.deliver('c1', { ok: true }), 'delivered');
  t.same(await answer, { status: 'answered', result: { ok: true } });
  t.equal(calls.deliver('c1', { ok: false }), 'late');
  t.equal(calls.deliver('c2', 1), 'unknown');
  t.equal(calls.size, 0);
});

t.test('the timeout ends a wait; a result after it is late', async (t) => {
  const clock = new VirtualClock();
  const calls = new ClientToolCalls(clock);
  let settled: unknown;
  void calls.wait('c1', 'lookup', 1000, new AbortController().signal).then((a) => (settled = a));
  await clock.advance(999);
  t.equal(settled, undefined);
  await clock.advance(1);
  t.same(settled, { status: 'timeout' });
  t.equal(calls.deliver('c1', 'x'), 'late');
});

t.test('an aborted signal and cancelAll cancel; nothing is left waiting', async (t) => {
  const clock = new VirtualClock();
  const calls = new ClientToolCalls(clock);
  const controller = new AbortController();
  const aborted = calls.wait('c1', 'a', 1000, controller.signal);
  controller.abort();
  t.same(await aborted, { status: 'cancelled' });
  t.same(await calls.wait('c0', 'a', 1000, controller.signal), { status: 'cancelled' }, 'an already aborted signal');
  const b = calls.wait('c2', 'b', 1000, new AbortController().signal);
  const c = calls.wait('c3', 'c', 1000, new AbortController().signal);
  t.same(calls.cancelAll(), [
    { callId: 'c2', name: 'b' },
    { callId: 'c3', name: 'c' },
  ]);
  t.same(await Promise.all([b, c]), [{ status: 'cancelled' }, { status: 'cancelled' }]);
  t.equal(calls.size, 0);
  t.same(calls.cancelAll(), []);
  await clock.advance(2000); // timers were cleared: nothing settles twice
  t.equal(calls.deliver('c2', 1), 'late');
});

t.test('a reused call id replaces the earlier wait', async (t) => {
  const calls = new ClientToolCalls(new VirtualClock());
  const first = calls.wait('c1', 'a', 1000, new AbortController().signal);
  const second = calls.wait('c1', 'a', 1000, new AbortController().signal);
  t.same(await first, { status: 'cancelled' });
  calls.deliver('c1', 'yes');
  t.same(await second, { status: 'answered', result: 'yes' });
});

t.test('only the latest settled ids are remembered as late', async (t) => {
  const calls = new ClientToolCalls(new VirtualClock());
  for (let i = 0; i < 100; i++) {
    void calls.wait(`c${i}`, 'a', 1000, new AbortController().signal);
    calls.deliver(`c${i}`, i);
  }
  t.equal(calls.deliver('c99', 0), 'late');
  t.equal(calls.deliver('c0', 0), 'unknown', 'the oldest were forgotten');
});
