import t from 'tap';
import { openBus } from '../../src/bus/open-bus.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { busSuite } from './bus-suite.js';
import { captureLogger } from '@vapi-cn/sdk-plugin-api/testkit';
import { waitFor } from './wait-for.js';

t.test('bus suite on the memory bus', async (tt) => {
  busSuite(tt, async (log) => new MemoryBus(log));
});

t.test('delivers after publish() has returned, never during it', async (tt) => {
  const bus = new MemoryBus(captureLogger([]));
  const received: unknown[] = [];
  await bus.subscribe('x', (message) => {
    received.push(message);
  });
  await bus.publish('x', 1);
  tt.same(received, [], 'not yet delivered when publish resolves');
  await waitFor(() => received.length === 1, 'delivery');
  await bus.close();
});

t.test('messages still queued when the bus closes are dropped', async (tt) => {
  const bus = new MemoryBus(captureLogger([]));
  const received: unknown[] = [];
  await bus.subscribe('x', (message) => {
    received.push(message);
  });
  await bus.publish('x', 1);
  await bus.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  tt.same(received, []);
});

t.test('a message published before a subscription is not delivered to it', async (tt) => {
  const bus = new MemoryBus(captureLogger([]));
  const late: unknown[] = [];
  const sentinel: unknown[] = [];
  await bus.subscribe('done', (m) => {
    sentinel.push(m);
  });
  await bus.publish('x', 'early');
  await bus.subscribe('x', (m) => {
    late.push(m);
  });
  await bus.publish('done', 1);
  await waitFor(() => sentinel.length === 1, 'sentinel');
  tt.same(late, []);
  await bus.close();
});

t.test('openBus opens a memory bus', async (tt) => {
  const bus = await openBus({ driver: 'memory', prefix: 'vapi-cn.' }, captureLogger([]));
  tt.equal(bus.driver, 'memory');
  tt.ok(bus instanceof MemoryBus);
  await bus.close();
});
