import type { ServerResponse } from 'node:http';
import t, { type Test } from 'tap';
import type { VapiError } from '@vapi-cn/sdk-plugin-api';
import { captureLogger, VirtualClock, type CapturedLog } from '@vapi-cn/sdk-plugin-api/testkit';
import { resolveAssistantSettings, type ServerEventType } from '../../src/conversation/assistant-settings.js';
import { ServerEvents, type ServerSettings } from '../../src/conversation/server-events.js';
import { closedPort } from '../closed-port.js';
import { webhookReceiver, type ReceivedRequest } from './webhook-receiver.js';

const SECRET = 'server-secret-do-not-log';
const CALLER = '+8613800138000';

/** The assistant's server: signatures checked against the virtual clock, n-th request answered by `respond`. */
const receiver = (t: Test, clock: VirtualClock, respond: (n: number, res: ServerResponse) => void) =>
  webhookReceiver(t, { secret: SECRET, clock, path: '/events', respond });

const status = (code: number, headers: Record<string, string> = {}) => (res: ServerResponse) => res.writeHead(code, headers).end();
const ok = status(200);

function setup(clock: VirtualClock, server: Record<string, unknown>) {
  const logs: CapturedLog[] = [];
  const failures: Array<{ error: VapiError; type: ServerEventType; attempts: number }> = [];
  let target = { assistantId: 'sales' as string | null, server: resolveAssistantSettings({ server: { secret: SECRET, timeoutMs: 60_000, ...server } }).server };
  const events = new ServerEvents({
    callId: 'call-1',
    target: () => target,
    clock,
    log: captureLogger(logs),
    onFailure: (error, event) => failures.push({ error, ...event }),
  });
  const retarget = (assistantId: string, settings: ServerSettings) => (target = { assistantId, server: settings });
  return { events, logs, failures, retarget };
}

/**
 * Lets real I/O and virtual time run together until `done()`: virtual time moves in 10 ms steps
 * with a real pause between, so requests on the wire keep up with timers on the clock. Virtual
 * times measured this way may run late by a few steps (real I/O takes real time), never early.
 */
async function until(clock: VirtualClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
    await clock.advance(10);
  }
  throw new Error('timed out waiting');
}

const seqs = (received: ReceivedRequest[]) => received.map((r) => r.json.seq);

t.test('an event refused with 503 is retried after a backoff, delivered once, and the order kept', async (t) => {
  const clock = new VirtualClock();
  const hook = await receiver(t, clock, (n, res) => (n === 0 ? status(503)(res) : ok(res)));
  const { events, failures } = setup(clock, {});
  const { events: live } = setup(clock, { url: hook.url });
  t.equal(events.send('transcript', { seq: 0 }), undefined, 'no url: nothing is sent');
  for (const seq of [1, 2, 3]) t.equal(live.send('transcript', { seq, role: 'user', text: '你好' }), undefined, 'send returns at once');
  t.equal(hook.received.length, 0, 'nothing was awaited by send');
  await until(clock, () => hook.received.length === 4);
  t.same(seqs(hook.received), [1, 1, 2, 3], 'the retry comes before the later events');
  const backoff = hook.received[1]!.at - hook.received[0]!.at;
  t.ok(backoff >= 500 && backoff < 1000, `retried after ${backoff} ms of backoff`);
  await clock.advance(30_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(hook.received.length, 4, 'each delivered once');
  t.ok(hook.received.every((r) => r.signature.ok), 'every request verified on the receiver');
  t.match(hook.received[0]!.json, { type: 'transcript', call: { id: 'call-1', assistantId: 'sales' }, timestamp: Number, role: 'user', text: '你好' });
  t.same(failures, []);
  t.equal(await live.flush(1000), true);
});

t.test('a 400 is final: reported and logged without secrets, and the queue moves on', async (t) => {
  const clock = new VirtualClock();
  const hook = await receiver(t, clock, (n, res) => (n === 0 ? status(400)(res) : ok(res)));
  const { events, failures, logs } = setup(clock, { url: `${hook.url}?token=abc` });
  events.send('status-update', { seq: 1, status: 'in-progress', customer: { number: CALLER } });
  events.send('status-update', { seq: 2, status: 'ended' });
  await until(clock, () => hook.received.length === 2);
  await clock.advance(30_000);
  t.same(seqs(hook.received), [1, 2], 'not retried');
  t.match(failures, [{ type: 'status-update', attempts: 1, error: { code: 'VAPI_ERR_WEBHOOK_HTTP', category: 'invalid_request', details: { status: 400 } } }]);
  t.match(logs, [{ level: 'warn', obj: { type: 'status-update', attempts: 1 }, msg: /could not be delivered/ }]);
  const logged = JSON.stringify(logs.map((l) => ({ ...l.obj, err: (l.obj.err as Error).message, msg: l.msg })));
  for (const secret of [SECRET, CALLER, 'token=abc']) t.notMatch(logged, secret, `no ${secret} in the log`);
});

t.test("the receiver's Retry-After is honoured", async (t) => {
  const clock = new VirtualClock();
  const hook = await receiver(t, clock, (n, res) => (n === 0 ? status(429, { 'retry-after': '3' })(res) : ok(res)));
  const { events, failures } = setup(clock, { url: hook.url });
  events.send('tool-calls', { seq: 1 });
  await until(clock, () => hook.received.length === 2);
  const waited = hook.received[1]!.at - hook.received[0]!.at;
  t.ok(waited >= 3000 && waited < 3300, `retried after ${waited} ms, not the 500 ms backoff`);
  t.same(failures, []);
});

t.test('after maxRetries the event is given up on and reported', async (t) => {
  const clock = new VirtualClock();
  const hook = await receiver(t, clock, (_n, res) => status(503)(res));
  const { events, failures } = setup(clock, { url: hook.url, maxRetries: 2 });
  events.send('end-of-call-report', { seq: 1 });
  await until(clock, () => failures.length === 1);
  t.equal(hook.received.length, 3, 'one try and two retries');
  const gaps = [hook.received[1]!.at - hook.received[0]!.at, hook.received[2]!.at - hook.received[1]!.at];
  t.ok(gaps[0]! >= 500 && gaps[0]! < 1000 && gaps[1]! >= 1000 && gaps[1]! < 1800, `the backoff doubles: ${gaps.join(', ')} ms`);
  t.match(failures, [{ type: 'end-of-call-report', attempts: 3, error: { code: 'VAPI_ERR_WEBHOOK_HTTP', category: 'server' } }]);
});

t.test('network errors and timeouts are retried, then reported', async (t) => {
  const clock = new VirtualClock();
  const port = await closedPort();
  const unreachable = setup(clock, { url: `http://127.0.0.1:${port}/events`, maxRetries: 1 });
  unreachable.events.send('transcript', { seq: 1 });
  await until(clock, () => unreachable.failures.length === 1);
  t.match(unreachable.failures, [{ attempts: 2, error: { code: 'VAPI_ERR_WEBHOOK_NETWORK', category: 'connectivity', details: { reason: 'ECONNREFUSED' } } }]);

  const hook = await receiver(t, clock, () => {});
  const silent = setup(clock, { url: hook.url, timeoutMs: 1000, maxRetries: 1 });
  silent.events.send('transcript', { seq: 1 });
  await until(clock, () => silent.failures.length === 1);
  t.equal(hook.received.length, 2);
  t.match(silent.failures, [{ attempts: 2, error: { code: 'VAPI_ERR_WEBHOOK_TIMEOUT', category: 'timeout', details: { timeoutMs: 1000 } } }]);
});

t.test('only the assistant’s chosen events go out, with the assistant in charge at the time', async (t) => {
  const clock = new VirtualClock();
  const hook = await receiver(t, clock, (_n, res) => ok(res));
  const { events, retarget } = setup(clock, { url: hook.url, events: ['transcript', 'end-of-call-report'] });
  events.send('status-update', { seq: 1 });
  events.send('transcript', { seq: 2, type: 'forged', call: { id: 'other' } });
  retarget('billing', resolveAssistantSettings({ server: { url: hook.url, secret: SECRET } }).server);
  events.send('status-update', { seq: 3 });
  await until(clock, () => hook.received.length === 2);
  t.same(seqs(hook.received), [2, 3]);
  t.match(hook.received[0]!.json, { type: 'transcript', call: { id: 'call-1', assistantId: 'sales' } }, 'a payload cannot overwrite the head');
  t.match(hook.received[1]!.json, { type: 'status-update', call: { id: 'call-1', assistantId: 'billing' } }, 'after a handoff');
});

t.test('flush waits for pending deliveries, up to its timeout', async (t) => {
  const clock = new VirtualClock();
  const held: ServerResponse[] = [];
  const hook = await receiver(t, clock, (_n, res) => held.push(res));
  const { events } = setup(clock, { url: hook.url });
  t.equal(await events.flush(1000), true, 'nothing pending');
  events.send('end-of-call-report', { seq: 1 });
  let flushed: boolean | undefined;
  void events.flush(5000).then((result) => (flushed = result));
  await until(clock, () => held.length === 1);
  t.equal(flushed, undefined, 'still waiting while the receiver holds the answer');
  ok(held[0]!);
  await until(clock, () => flushed !== undefined);
  t.equal(flushed, true);

  events.send('end-of-call-report', { seq: 2 });
  let timedOut: boolean | undefined;
  const startedAt = clock.monotonic();
  void events.flush(1000).then((result) => (timedOut = result));
  await until(clock, () => timedOut !== undefined);
  t.equal(timedOut, false, 'gave up waiting');
  t.ok(clock.monotonic() - startedAt >= 1000 && clock.monotonic() - startedAt < 1100);
  ok(held[1]!);
});
