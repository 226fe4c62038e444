/**
 * The number router: precedence between store and config routes and between exact numbers,
 * prefixes and `*`; the in-memory copy of the store's routes, reloaded only on a change (here, on
 * another node over a real Redis, or after its maximum age); and routing on through a store outage.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { Bus, PhoneNumberRoute, Store } from '@vapi-cn/sdk-plugin-api';
import { VirtualClock, captureLogger, type CapturedLog } from '@vapi-cn/sdk-plugin-api/testkit';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { parseNumberPattern } from '../../src/routing/number-pattern.js';
import { NumberRouterImpl } from '../../src/routing/number-router.js';
import { eventually, waitFor } from '../bus/wait-for.js';

/** The store's routes as a list the test edits (as another node's API would), behind the one call the router makes. */
class RouteList {
  routes: Array<Pick<PhoneNumberRoute, 'pattern' | 'assistantId'>> = [];
  reads = 0;
  failing: Error | undefined;
  /** When set, reads wait for it (to change the routes while a read is in flight). */
  gate: Promise<void> | undefined;

  constructor(routes: Record<string, string> = {}) {
    this.set(routes);
  }

  set(routes: Record<string, string>): void {
    this.routes = Object.entries(routes).map(([pattern, assistantId]) => ({ pattern, assistantId }));
  }

  get store(): Store {
    return {
      phoneNumbers: {
        all: async () => {
          this.reads++;
          const snapshot = this.routes.map((r) => ({ ...r, label: null, createdAt: new Date(), updatedAt: new Date() }));
          if (this.gate) await this.gate;
          if (this.failing) throw this.failing;
          return snapshot;
        },
      },
    } as unknown as Store;
  }
}

function configRoutes(routes: Record<string, string>) {
  return Object.entries(routes).map(([pattern, assistantId]) => ({ pattern: parseNumberPattern(pattern), assistantId }));
}

async function router(t: { teardown(fn: () => unknown): void }, options: { list: RouteList; config?: Record<string, string>; bus?: Bus; clock?: VirtualClock; logs?: CapturedLog[]; maxAgeMs?: number }) {
  const logs = options.logs ?? [];
  const bus = options.bus ?? new MemoryBus(captureLogger(logs));
  const routing = new NumberRouterImpl({
    store: options.list.store,
    bus,
    clock: options.clock ?? new VirtualClock(),
    log: captureLogger(logs),
    configRoutes: configRoutes(options.config ?? {}),
    ...(options.maxAgeMs ? { maxAgeMs: options.maxAgeMs } : {}),
  });
  await routing.start();
  t.teardown(() => routing.close());
  return routing;
}

t.test('precedence: store before config; exact, then the longest prefix, then *', async (t) => {
  const list = new RouteList({ '4001234567': 'store-exact', '400123*': 'store-long', '400*': 'store-short' });
  const routing = await router(t, { list, config: { '4009999999': 'config-exact', '800*': 'config-800', '8001*': 'config-8001', '*': 'config-any' } });
  const table: Array<[string, string | undefined, string | undefined, string | undefined]> = [
    // called number, assistant, pattern, source
    ['+86 400-123-4567', 'store-exact', '4001234567', 'store'],
    ['4001234567', 'store-exact', '4001234567', 'store'],
    ['4001234599', 'store-long', '400123*', 'store'],
    ['4005550000', 'store-short', '400*', 'store'],
    // A store prefix beats a config exact number: config routes apply where no store route matches.
    ['4009999999', 'store-short', '400*', 'store'],
    ['8001234567', 'config-8001', '8001*', 'config'],
    ['8009999999', 'config-800', '800*', 'config'],
    ['+86 138 0013 8000', 'config-any', '*', 'config'],
    ['sip:alice@example.com', 'config-any', '*', 'config'],
    ['', 'config-any', '*', 'config'],
  ];
  for (const [called, assistantId, pattern, source] of table) {
    t.same(await routing.route(called), { assistantId, pattern, source }, `${called || '(empty)'} → ${assistantId}`);
  }

  list.set({ ...Object.fromEntries(list.routes.map((r) => [r.pattern, r.assistantId])), '*': 'store-any' });
  await routing.changed();
  t.same(await routing.route('13800138000'), { assistantId: 'store-any', pattern: '*', source: 'store' }, 'a store * shadows every config route');
  t.same(await routing.route('8001234567'), { assistantId: 'store-any', pattern: '*', source: 'store' });
});

t.test('no route: undefined', async (t) => {
  const routing = await router(t, { list: new RouteList({ '400*': 'support' }), config: { '95555': 'bank' } });
  t.equal(await routing.route('13800138000'), undefined);
  t.same(await routing.route('95555'), { assistantId: 'bank', pattern: '95555', source: 'config' });
});

t.test('the store is read once, not per call, until the routes change', async (t) => {
  const list = new RouteList({ '400*': 'support' });
  const routing = await router(t, { list });
  t.equal(list.reads, 1, 'read at start');
  const routed = await Promise.all(Array.from({ length: 500 }, (_, i) => routing.route(`400${String(i).padStart(7, '0')}`)));
  t.ok(routed.every((r) => r?.assistantId === 'support'));
  t.equal(list.reads, 1, '500 calls, no more reads');

  // Changed behind the router's back (SQL by hand): the copy still routes the old way...
  list.set({ '400*': 'sales' });
  t.equal((await routing.route('4001234567'))?.assistantId, 'support', 'served from memory');
  // ...until a write through the API says so.
  await routing.changed();
  const burst = await Promise.all(Array.from({ length: 50 }, () => routing.route('4001234567')));
  t.ok(burst.every((r) => r?.assistantId === 'sales'), 'the change is seen at once');
  t.equal(list.reads, 2, 'a burst of calls after a change shares one read');
});

t.test('a change made while the routes are being read is not lost', async (t) => {
  const list = new RouteList({ '400*': 'old' });
  const routing = await router(t, { list });
  routing.invalidate();
  let open!: () => void;
  list.gate = new Promise((resolve) => (open = resolve));
  const during = routing.route('4001234567');
  await waitFor(() => list.reads === 2, 'the reload to start');
  list.set({ '400*': 'new' });
  await routing.changed();
  list.gate = undefined;
  open();
  t.equal((await during)?.assistantId, 'old', 'the call that started the read gets what it read');
  t.equal((await routing.route('4001234567'))?.assistantId, 'new', 'the next call reads again');
});

t.test('the copy is refreshed once it is maxAgeMs old (a lost bus message heals)', async (t) => {
  const clock = new VirtualClock();
  const list = new RouteList({ '400*': 'old' });
  const routing = await router(t, { list, clock, maxAgeMs: 60_000 });
  list.set({ '400*': 'new' });
  await clock.advance(59_000);
  t.equal((await routing.route('4001234567'))?.assistantId, 'old');
  await clock.advance(1_000);
  t.equal((await routing.route('4001234567'))?.assistantId, 'new');
  t.equal(list.reads, 2);
});

t.test('a store outage: the last copy keeps routing; with no copy, route() fails', async (t) => {
  const clock = new VirtualClock();
  const logs: CapturedLog[] = [];
  const list = new RouteList({ '400*': 'support' });
  const routing = await router(t, { list, clock, logs, maxAgeMs: 1_000 });
  list.failing = new Error('connection refused');
  await clock.advance(1_000);
  t.equal((await routing.route('4001234567'))?.assistantId, 'support', 'routed with the last copy');
  t.match(logs.find((l) => l.level === 'warn'), { msg: /routing with the last copy/, obj: { err: { message: 'connection refused' } } });
  const readsAfterFailure = list.reads;
  await routing.route('4001234567');
  t.equal(list.reads, readsAfterFailure, 'not retried on every call');
  await clock.advance(5_000);
  list.failing = undefined;
  list.set({ '400*': 'sales' });
  t.equal((await routing.route('4001234567'))?.assistantId, 'sales', 'recovers once the store answers');

  const cold = new RouteList();
  cold.failing = new Error('no database');
  const coldRouter = new NumberRouterImpl({ store: cold.store, bus: new MemoryBus(captureLogger([])), clock, log: captureLogger([]), configRoutes: [] });
  await t.rejects(coldRouter.route('4001234567'), { message: 'no database' });
});

t.test('a stored pattern written around the API is skipped, not fatal', async (t) => {
  const logs: CapturedLog[] = [];
  const list = new RouteList({ 'not-a-pattern': 'broken', '400*': 'support' });
  const routing = await router(t, { list, logs });
  t.equal((await routing.route('4001234567'))?.assistantId, 'support');
  t.match(logs.find((l) => l.level === 'warn'), { msg: /skipping a stored number route/, obj: { assistantId: 'broken' } });
});

t.test('two nodes on one bus: a change on one reloads the other', async (t) => {
  const bus = new MemoryBus(captureLogger([]));
  const list = new RouteList({ '400*': 'old' });
  const nodeA = await router(t, { list, bus });
  const nodeB = await router(t, { list, bus });
  t.equal(list.reads, 2, 'each read once at start');
  list.set({ '400*': 'new' });
  await nodeA.changed();
  t.equal((await nodeA.route('4001234567'))?.assistantId, 'new', 'the writing node at once');
  // The clock stands still: only the bus message can make node B read again.
  await eventually(async () => (await nodeB.route('4001234567'))?.assistantId === 'new', 'node B to route by the new route');
  t.equal(list.reads, 4, 'one more read per node; a node ignores its own message');
});

t.test('two nodes over a real Redis: a change on one is routed by the other', async (t) => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `vapi-test-${randomBytes(6).toString('hex')}.`;
  const busA = await RedisBus.connect({ url, prefix, log: captureLogger([]) });
  const busB = await RedisBus.connect({ url, prefix, log: captureLogger([]) });
  t.teardown(() => Promise.all([busA.close(), busB.close()]));
  const list = new RouteList({ '4001234567': 'old' });
  const nodeA = await router(t, { list, bus: busA });
  const nodeB = await router(t, { list, bus: busB });
  t.equal((await nodeB.route('4001234567'))?.assistantId, 'old');
  const readsBefore = list.reads;

  list.set({ '4001234567': 'new' });
  await nodeA.changed();
  await eventually(async () => (await nodeB.route('4001234567'))?.assistantId === 'new', 'node B to route by the new route');
  t.equal((await nodeA.route('4001234567'))?.assistantId, 'new');
  t.equal(list.reads - readsBefore, 2, 'one read per node, not one per call');
});
