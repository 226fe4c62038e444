/**
 * The behaviour every Bus must have, run against each driver (memory-bus.test.ts,
 * redis-bus.test.ts). `open` returns a new, connected bus; the suite closes it.
 */
import type { Test } from 'tap';
import type { Bus, BusHandler, Logger } from '@vapi-cn/sdk-plugin-api';
import { captureLogger, type CapturedLog } from '@vapi-cn/sdk-plugin-api/testkit';
import { waitFor } from './wait-for.js';

interface Received {
  topic: string;
  message: unknown;
}

/** A handler that records what it receives. */
function recorder(): { handler: BusHandler; received: Received[]; topics: () => string[] } {
  const received: Received[] = [];
  return {
    handler: (message, topic) => {
      received.push({ topic, message });
    },
    received,
    topics: () => received.map((r) => r.topic),
  };
}

export function busSuite(t: Test, open: (log: Logger) => Promise<Bus>): void {
  async function setup(tt: Test): Promise<{ bus: Bus; logs: CapturedLog[] }> {
    const logs: CapturedLog[] = [];
    const log = captureLogger(logs);
    const bus = await open(log);
    tt.teardown(() => bus.close());
    return { bus, logs };
  }

  t.test('delivers a message to the subscribers of its exact topic only', async (tt) => {
    const { bus } = await setup(tt);
    const started = recorder();
    const ended = recorder();
    await bus.subscribe('calls.started', started.handler);
    await bus.subscribe('calls.ended', ended.handler);

    await bus.publish('calls.started', { callId: 'c1' });
    await bus.publish('calls.starte', { callId: 'nope' });
    await bus.publish('calls.started.more', { callId: 'nope' });
    await bus.publish('calls.ended', { callId: 'c1' });
    // Messages arrive in publish order, so once 'calls.ended' is in, nothing else is on its way.
    await waitFor(() => ended.received.length === 1, 'calls.ended');

    tt.same(started.received, [{ topic: 'calls.started', message: { callId: 'c1' } }]);
    tt.same(ended.received, [{ topic: 'calls.ended', message: { callId: 'c1' } }]);
  });

  t.test('* matches any run of characters, dots included; other characters are literal', async (tt) => {
    const { bus } = await setup(tt);
    const calls = recorder();
    const everything = recorder();
    const middle = recorder();
    const literal = recorder();
    await bus.subscribe('calls.*', calls.handler);
    await bus.subscribe('*', everything.handler);
    await bus.subscribe('calls.*.ended', middle.handler);
    await bus.subscribe('a?b[1].*', literal.handler);

    const topics = ['calls.started', 'calls.x.ended', 'calls.', 'callsX', 'other.calls.started', 'a?b[1].z', 'axb1.z', 'a\\b'];
    for (const topic of topics) await bus.publish(topic, { topic });
    await waitFor(() => everything.received.length === topics.length, 'every message on *');

    tt.same(everything.topics(), topics, '* receives everything, in order');
    tt.same(calls.topics(), ['calls.started', 'calls.x.ended', 'calls.']);
    tt.same(middle.topics(), ['calls.x.ended']);
    tt.same(literal.topics(), ['a?b[1].z'], '? and [ ] are not wildcards');
  });

  t.test('unsubscribe stops delivery to that handler only', async (tt) => {
    const { bus } = await setup(tt);
    const first = recorder();
    const second = recorder();
    const sentinel = recorder();
    const unsubscribeFirst = await bus.subscribe('calls.*', first.handler);
    const unsubscribeSecond = await bus.subscribe('calls.*', second.handler);
    await bus.subscribe('done', sentinel.handler);

    await unsubscribeFirst();
    await unsubscribeFirst(); // twice is harmless
    await bus.publish('calls.started', 1);
    await bus.publish('done', 1);
    await waitFor(() => sentinel.received.length === 1, 'sentinel 1');
    tt.same(first.received, [], 'unsubscribed handler got nothing');
    tt.same(second.topics(), ['calls.started'], 'the other handler on the same pattern still receives');

    await unsubscribeSecond();
    await bus.publish('calls.started', 2);
    await bus.publish('done', 2);
    await waitFor(() => sentinel.received.length === 2, 'sentinel 2');
    tt.same(second.received.length, 1, 'last handler of a pattern unsubscribed');

    // Subscribing again to a pattern everybody left works.
    const again = recorder();
    await bus.subscribe('calls.*', again.handler);
    await bus.publish('calls.started', 3);
    await waitFor(() => again.received.length === 1, 'resubscribed handler');
  });

  t.test('the same handler subscribed twice is called twice', async (tt) => {
    const { bus } = await setup(tt);
    const r = recorder();
    await bus.subscribe('calls.*', r.handler);
    const unsubscribe = await bus.subscribe('calls.*', r.handler);
    await bus.publish('calls.started', 1);
    await waitFor(() => r.received.length === 2, 'two deliveries');
    await unsubscribe();
    await bus.publish('calls.started', 2);
    await waitFor(() => r.received.length === 3, 'one more delivery');
    tt.same(r.received.map((x) => x.message), [1, 1, 2]);
  });

  t.test('messages are JSON round-tripped', async (tt) => {
    const { bus } = await setup(tt);
    const r = recorder();
    await bus.subscribe('json.*', r.handler);
    const sent = {
      at: new Date('2024-05-06T07:08:09.010Z'),
      text: '你好，世界 — "quotes" \\ backslash 👋',
      nested: { list: [1, 'two', null, { deep: true }], empty: {} },
      missing: undefined,
      fn: () => 1,
      map: new Map([[1, 2]]),
      nan: Number.NaN,
    };
    await bus.publish('json.object', sent);
    sent.text = 'changed after publish';
    for (const value of ['text', 42, null, true, [1, [2]]]) await bus.publish('json.scalar', value);
    await waitFor(() => r.received.length === 6, 'six messages');

    tt.same(r.received[0]!.message, {
      at: '2024-05-06T07:08:09.010Z',
      text: '你好，世界 — "quotes" \\ backslash 👋',
      nested: { list: [1, 'two', null, { deep: true }], empty: {} },
      map: {},
      nan: null,
    });
    tt.notOk('missing' in (r.received[0]!.message as object), 'undefined properties are dropped');
    tt.same(r.received.slice(1).map((x) => x.message), ['text', 42, null, true, [1, [2]]]);
  });

  t.test('each handler gets its own copy of a message', async (tt) => {
    const { bus } = await setup(tt);
    const seen: unknown[] = [];
    await bus.subscribe('copy', (message) => {
      (message as { value: string }).value = 'mutated';
    });
    await bus.subscribe('copy', (message) => {
      seen.push((message as { value: string }).value);
    });
    await bus.publish('copy', { value: 'original' });
    await waitFor(() => seen.length === 1, 'second handler');
    tt.same(seen, ['original']);
  });

  t.test('a failing handler is logged and does not affect the others', async (tt) => {
    const { bus, logs } = await setup(tt);
    const good = recorder();
    let throwingCalls = 0;
    await bus.subscribe('calls.*', () => {
      throwingCalls++;
      throw new Error('sync boom');
    });
    await bus.subscribe('calls.*', async () => {
      throw new Error('async boom');
    });
    await bus.subscribe('calls.*', good.handler);

    await bus.publish('calls.started', 1);
    await bus.publish('calls.ended', 2);
    const errors = () => logs.filter((e) => e.level === 'error');
    await waitFor(() => good.received.length === 2 && errors().length === 4, 'deliveries and error logs');

    tt.same(good.received.map((x) => x.message), [1, 2]);
    tt.equal(throwingCalls, 2, 'the throwing handler stays subscribed');
    tt.same(errors().map((e) => (e.obj.err as Error).message).sort(), ['async boom', 'async boom', 'sync boom', 'sync boom']);
    tt.same(errors().map((e) => e.obj.topic).sort(), ['calls.ended', 'calls.ended', 'calls.started', 'calls.started']);
  });

  t.test('messages from one publisher arrive in order', async (tt) => {
    const { bus } = await setup(tt);
    const r = recorder();
    await bus.subscribe('seq', r.handler);
    const count = 50;
    for (let i = 0; i < count; i++) await bus.publish('seq', i);
    await waitFor(() => r.received.length === count, `${count} messages`);
    tt.same(r.received.map((x) => x.message), Array.from({ length: count }, (_, i) => i));
  });

  t.test('rejects what JSON cannot carry, and empty topics', async (tt) => {
    const { bus } = await setup(tt);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await tt.rejects(bus.publish('x', undefined), { code: 'VAPI_ERR_BUS_ENCODE', category: 'invalid_request' });
    await tt.rejects(bus.publish('x', () => 1), { code: 'VAPI_ERR_BUS_ENCODE' });
    await tt.rejects(bus.publish('x', circular), { code: 'VAPI_ERR_BUS_ENCODE' });
    await tt.rejects(bus.publish('x', { n: 1n }), { code: 'VAPI_ERR_BUS_ENCODE' });
    await tt.rejects(bus.publish('', 1), { code: 'VAPI_ERR_BUS_TOPIC' });
    await tt.rejects(bus.subscribe('', () => {}), { code: 'VAPI_ERR_BUS_TOPIC' });

    // The bus still works afterwards.
    const r = recorder();
    await bus.subscribe('x', r.handler);
    await bus.publish('x', 'ok');
    await waitFor(() => r.received.length === 1, 'a good message');
  });

  t.test('after close, publish and subscribe reject; close is idempotent', async (tt) => {
    const { bus } = await setup(tt);
    const unsubscribe = await bus.subscribe('x', () => {});
    await bus.close();
    await bus.close();
    await tt.rejects(bus.publish('x', 1), { name: 'VapiError', code: 'VAPI_ERR_BUS_CLOSED' });
    await tt.rejects(bus.subscribe('x', () => {}), { code: 'VAPI_ERR_BUS_CLOSED' });
    await tt.resolves(unsubscribe(), 'unsubscribing after close is harmless');
  });
}
