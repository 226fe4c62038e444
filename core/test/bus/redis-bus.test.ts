/**
 * RedisBus against a real Redis (REDIS_URL, default redis://127.0.0.1:6379). Fails, not skips,
 * when Redis is unreachable: CI must start it. Each run uses its own channel prefix.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { Redis } from 'ioredis';
import type { Logger } from '@vapi-cn/sdk-plugin-api';
import { openBus } from '../../src/bus/open-bus.js';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { busSuite } from './bus-suite.js';
import { captureLogger, type CapturedLog } from '@vapi-cn/sdk-plugin-api/testkit';
import { closedPort } from '../closed-port.js';
import { waitFor } from './wait-for.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = `vapi-test-${randomBytes(6).toString('hex')}`;
const prefix = `${run}.`;

function connect(log: Logger = captureLogger([]), busPrefix = prefix): Promise<RedisBus> {
  return RedisBus.connect({ url: REDIS_URL, prefix: busPrefix, log });
}

/** A plain Redis client, to look at the wire from outside the bus. */
function rawClient(tt: { teardown(fn: () => unknown): void }): Redis {
  const redis = new Redis(REDIS_URL);
  tt.teardown(() => redis.quit());
  return redis;
}

t.test('bus suite on Redis', async (tt) => {
  busSuite(tt, (log) => connect(log));
});

t.test('two bus instances (two nodes) deliver to each other', async (tt) => {
  const nodeA = await connect();
  const nodeB = await connect();
  tt.teardown(() => Promise.all([nodeA.close(), nodeB.close()]));
  const atA: string[] = [];
  const atB: string[] = [];
  await nodeA.subscribe('calls.*', (_m, topic) => {
    atA.push(topic);
  });
  await nodeB.subscribe('calls.*', (_m, topic) => {
    atB.push(topic);
  });

  await nodeA.publish('calls.started', { from: 'A' });
  await waitFor(() => atA.length === 1 && atB.length === 1, 'A → A and B');
  await nodeB.publish('calls.ended', { from: 'B' });
  await waitFor(() => atA.length === 2 && atB.length === 2, 'B → A and B');
  tt.same(atA, ['calls.started', 'calls.ended']);
  tt.same(atB, ['calls.started', 'calls.ended']);
});

t.test('a different prefix is a different bus', async (tt) => {
  const ours = await connect();
  // Not nested: a pattern under 'a.' would also match channels of a deployment using 'a.b.'.
  const theirs = await connect(captureLogger([]), `${run}-other.`);
  tt.teardown(() => Promise.all([ours.close(), theirs.close()]));
  const atOurs: string[] = [];
  const atTheirs: string[] = [];
  await ours.subscribe('*', (_m, topic) => {
    atOurs.push(topic);
  });
  await theirs.subscribe('*', (_m, topic) => {
    atTheirs.push(topic);
  });

  // Redis delivers in the order it accepted the publishes, so each sentinel comes last.
  await ours.publish('calls.started', 1);
  await theirs.publish('calls.started', 2);
  await ours.publish('done', 1);
  await theirs.publish('done', 2);
  await waitFor(() => atOurs.includes('done') && atTheirs.includes('done'), 'both sentinels');
  tt.same(atOurs, ['calls.started', 'done']);
  tt.same(atTheirs, ['calls.started', 'done']);
});

t.test('channels carry the prefix and JSON text', async (tt) => {
  const bus = await connect();
  tt.teardown(() => bus.close());
  const raw = rawClient(tt);
  const seen: [string, string][] = [];
  raw.on('message', (channel: string, text: string) => seen.push([channel, text]));
  await raw.subscribe(`${prefix}wire`);

  await bus.publish('wire', { at: new Date('2024-01-02T03:04:05.000Z'), n: 1 });
  await waitFor(() => seen.length === 1, 'raw delivery');
  tt.same(seen, [[`${prefix}wire`, '{"at":"2024-01-02T03:04:05.000Z","n":1}']]);
});

t.test('a malformed incoming message is logged and dropped', async (tt) => {
  const logs: CapturedLog[] = [];
  const log = captureLogger(logs);
  const bus = await connect(log);
  tt.teardown(() => bus.close());
  const raw = rawClient(tt);
  const received: unknown[] = [];
  await bus.subscribe('in.*', (message) => {
    received.push(message);
  });

  await raw.publish(`${prefix}in.bad`, 'not json {');
  await raw.publish(`${prefix}in.good`, '{"ok":true}');
  await waitFor(() => received.length === 1, 'the good message');
  tt.same(received, [{ ok: true }]);
  const warnings = logs.filter((e) => e.level === 'warn');
  tt.equal(warnings.length, 1);
  tt.equal(warnings[0]!.obj.topic, 'in.bad');
});

t.test('one Redis subscription per topic on a node, released with its last handler', async (tt) => {
  const bus = await connect();
  tt.teardown(() => bus.close());
  const raw = rawClient(tt);
  const channel = `${prefix}shared`;
  const subscribers = async () => ((await raw.pubsub('NUMSUB', channel)) as [string, number])[1];

  const first = await bus.subscribe('shared', () => {});
  const second = await bus.subscribe('shared', () => {});
  tt.equal(await subscribers(), 1);
  await first();
  tt.equal(await subscribers(), 1, 'still needed by the second handler');
  await second();
  tt.equal(await subscribers(), 0);
});

t.test('connection failures are connectivity VapiErrors that do not leak the password', async (tt) => {
  const port = await closedPort();
  const error = await RedisBus.connect({ url: `redis://:sekret-pw@127.0.0.1:${port}`, prefix, log: captureLogger([]) }).then(
    () => undefined,
    (err: unknown) => err,
  );
  tt.match(error, { name: 'VapiError', code: 'VAPI_ERR_BUS_UNREACHABLE', category: 'connectivity', retryable: true });
  const { message, fix } = error as { message: string; fix: string };
  tt.match(message, `127.0.0.1:${port}`);
  tt.notMatch(message, 'sekret-pw');
  tt.ok(fix, 'has a fix');
});

t.test('openBus', async (tt) => {
  const bus = await openBus({ driver: 'redis', url: REDIS_URL, prefix }, captureLogger([]));
  tt.equal(bus.driver, 'redis');
  await bus.close();
  await tt.rejects(openBus({ driver: 'redis', url: '', prefix }, captureLogger([])), { code: 'VAPI_ERR_BUS_URL', category: 'invalid_request' });
  await tt.rejects(openBus({ driver: 'redis', url: 'not a url', prefix }, captureLogger([])), { code: 'VAPI_ERR_BUS_URL' });
});
