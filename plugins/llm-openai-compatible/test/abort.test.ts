/**
 * Barge-in: aborting the request's signal ends the iteration promptly, without an error, with
 * `done: aborted`, and closes the connection (the fake sees it close). Timing bounds are
 * generous: these are functional checks, not benchmarks.
 */
import t from 'tap';
import type { LlmEvent } from '@vapi-cn/sdk-plugin-api';
import { FakeOpenAiServer } from './fake-openai-server.js';
import { drain, fakeProvider, textOf, within } from './helpers.js';

const fake = await FakeOpenAiServer.start();
t.teardown(() => fake.close());
const HI = { messages: [{ role: 'user' as const, content: 'hi' }] };
// Generous for a loaded CI runner: without abort handling the stream would run for minutes.
const PROMPT_MS = 1000;
const closedWithin = (ms: number) => within(fake.requests.at(-1)!.closed.then(() => 'closed'), ms, 'still open');

t.test('abort while waiting for the next chunk', async (t) => {
  const controller = new AbortController();
  const llm = fakeProvider(fake, { model: 'slow' });
  const events: LlmEvent[] = [];
  let abortedAt = 0;
  for await (const event of llm.chat({ ...HI, model: 'slow', signal: controller.signal })) {
    events.push(event);
    if (events.length === 2) {
      // Abort from outside the loop, while the provider awaits the socket.
      setTimeout(() => {
        abortedAt = performance.now();
        controller.abort();
      }, 5);
    }
  }
  const lag = performance.now() - abortedAt;
  t.ok(abortedAt > 0 && lag < PROMPT_MS, `iteration ended ${lag.toFixed(1)} ms after the abort`);
  t.same(events.at(-1), { type: 'done', finishReason: 'aborted' });
  t.equal(events.filter((e) => e.type === 'done').length, 1);
  t.equal(await closedWithin(2000), 'closed');
});

t.test('abort between two next() calls: the next call ends the stream at once', async (t) => {
  const controller = new AbortController();
  const iterator = fakeProvider(fake).chat({ ...HI, model: 'slow', signal: controller.signal })[Symbol.asyncIterator]();
  t.same((await iterator.next()).value, { type: 'text-delta', text: 'w0 ' });
  controller.abort();
  const started = performance.now();
  t.same((await iterator.next()).value, { type: 'done', finishReason: 'aborted' });
  t.same(await iterator.next(), { done: true, value: undefined });
  t.ok(performance.now() - started < PROMPT_MS);
  t.equal(await closedWithin(2000), 'closed');
});

t.test('abort before the response headers', async (t) => {
  fake.enqueue({ mode: 'hang' });
  const { events, error } = await drain(fakeProvider(fake).chat({ ...HI, signal: AbortSignal.timeout(50) }));
  t.error(error);
  t.same(events, [{ type: 'done', finishReason: 'aborted' }]);
  t.equal(await closedWithin(2000), 'closed');
});

t.test('an already aborted signal sends nothing', async (t) => {
  const before = fake.requests.length;
  const { events, error } = await drain(fakeProvider(fake).chat({ ...HI, signal: AbortSignal.abort() }));
  t.error(error);
  t.same(events, [{ type: 'done', finishReason: 'aborted' }]);
  t.equal(fake.requests.length, before);
});

t.test('abort during the wait before a retry', async (t) => {
  fake.enqueue({ mode: 'rate-limited', retryAfter: '3' });
  const started = performance.now();
  const { events, error } = await drain(fakeProvider(fake, { maxRetries: 1 }).chat({ ...HI, signal: AbortSignal.timeout(100) }));
  t.error(error);
  t.same(events, [{ type: 'done', finishReason: 'aborted' }]);
  t.ok(performance.now() - started < 1000, 'did not sit out the Retry-After');
});

t.test('a consumer that stops iterating (break) closes the connection too', async (t) => {
  for await (const event of fakeProvider(fake).chat({ ...HI, model: 'slow' })) {
    if (event.type === 'text-delta') break;
  }
  t.equal(await closedWithin(2000), 'closed');
});

t.test('a completed answer leaves its connection open for the next request (keep-alive)', async (t) => {
  const llm = fakeProvider(fake);
  // The body's end lags [DONE], as behind some proxies: the answer must not wait for it, and the
  // connection must survive it.
  fake.enqueue({ mode: 'text', endDelayMs: 600 }); // within the provider's drain limit
  const started = performance.now();
  const first = await drain(llm.chat(HI));
  t.ok(performance.now() - started < 500, 'done came without waiting for the end of the body');
  await new Promise((resolve) => setTimeout(resolve, 800)); // the pool takes the socket back // the pool takes the socket back
  const second = await drain(llm.chat(HI));
  t.equal(textOf(first.events) + textOf(second.events), 'Hello, world!Hello, world!');
  const [a, b] = fake.requests.slice(-2);
  t.equal(a!.connection, b!.connection, 'the second request reused the first connection');
});
