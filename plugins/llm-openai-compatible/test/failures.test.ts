/** Error categories, retries (only before output) and the three timeouts, against the fake. */
import net from 'node:net';
import t from 'tap';
import type { CapturedLog } from '@vapi-cn/sdk-plugin-api/testkit';
import { FakeOpenAiServer } from './fake-openai-server.js';
import { drain, fakeProvider, textOf, within } from './helpers.js';

const fake = await FakeOpenAiServer.start();
t.teardown(() => fake.close());
const HI = { messages: [{ role: 'user' as const, content: 'hi' }] };
const countRequests = async (run: () => Promise<unknown>) => {
  const before = fake.requests.length;
  await run();
  return fake.requests.length - before;
};

t.test('a wrong key is auth, not retried, and the key does not appear in the error', async (t) => {
  const llm = fakeProvider(fake, { apiKey: 'sk-wrong-secret-987654', maxRetries: 3 });
  let outcome: Awaited<ReturnType<typeof drain>> | undefined;
  t.equal(await countRequests(async () => (outcome = await drain(llm.chat(HI)))), 1);
  t.match(outcome!.error, { name: 'VapiError', code: 'VAPI_ERR_LLM_AUTH', category: 'auth', retryable: false, details: { status: 401 } });
  t.notMatch(JSON.stringify({ message: outcome!.error!.message, json: outcome!.error }), 'sk-wrong-secret-987654');
  t.match(outcome!.error!.message, /Incorrect API key provided: \*\*\*/);
});

t.test('no key at all is auth', async (t) => {
  const { error } = await drain(fakeProvider(fake, { apiKey: undefined }).chat(HI));
  t.match(error, { code: 'VAPI_ERR_LLM_AUTH', message: /didn't provide an API key/ });
});

t.test('HTTP statuses and vendor bodies map to categories', async (t) => {
  const cases: Array<[number, unknown, string, string]> = [
    [402, { error: { message: 'Insufficient Balance', type: 'unknown_error', code: 'invalid_request_error' } }, 'VAPI_ERR_LLM_QUOTA', 'quota'],
    [429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, 'VAPI_ERR_LLM_QUOTA', 'quota'],
    [400, { error: { message: "This model's maximum context length is 8192 tokens", type: 'invalid_request_error', code: 'context_length_exceeded' } }, 'VAPI_ERR_LLM_INVALID_REQUEST', 'invalid_request'],
    [404, { error: { message: 'The model `nope` does not exist', type: 'invalid_request_error', code: 'model_not_found' } }, 'VAPI_ERR_LLM_INVALID_REQUEST', 'invalid_request'],
    [422, { detail: [{ msg: 'field required' }] }, 'VAPI_ERR_LLM_INVALID_REQUEST', 'invalid_request'],
    [403, { error: { message: 'Permission denied' } }, 'VAPI_ERR_LLM_AUTH', 'auth'],
    [503, { error: { message: 'Service Unavailable' } }, 'VAPI_ERR_LLM_SERVER', 'server'],
  ];
  for (const [status, body, code, category] of cases) {
    fake.enqueue({ mode: 'status', status, body });
    const { error } = await drain(fakeProvider(fake).chat(HI));
    t.match(error, { code, category, details: { status } }, `HTTP ${status}`);
  }
  const { error } = await drain(fakeProvider(fake, { baseUrl: `${fake.origin}/wrong/v1` }).chat(HI));
  t.match(error, { code: 'VAPI_ERR_LLM_INVALID_REQUEST', details: { status: 404 } }, 'a wrong base path');
});

t.test('a 200 JSON error body instead of a stream is mapped too', async (t) => {
  fake.enqueue({ mode: 'status', status: 200, body: { error: { message: 'Insufficient Balance' } } });
  t.match((await drain(fakeProvider(fake).chat(HI))).error, { code: 'VAPI_ERR_LLM_QUOTA' });
  fake.enqueue({ mode: 'status', status: 200, body: { choices: [{ message: { content: 'not streamed' } }] } });
  t.match((await drain(fakeProvider(fake).chat(HI))).error, { code: 'VAPI_ERR_LLM_BAD_RESPONSE', category: 'server' });
});

t.test('500 is retried once by default and then succeeds', async (t) => {
  const logs: CapturedLog[] = [];
  fake.enqueue({ mode: 'server-error' });
  let outcome: Awaited<ReturnType<typeof drain>> | undefined;
  t.equal(await countRequests(async () => (outcome = await drain(fakeProvider(fake, { maxRetries: 1 }, logs).chat(HI)))), 2);
  t.error(outcome!.error);
  t.equal(textOf(outcome!.events), 'Hello, world!');
  t.match(logs, [{ level: 'warn', obj: { attempt: 1, code: 'VAPI_ERR_LLM_SERVER' } }], 'one line per retry');
});

t.test('retries stop at maxRetries', async (t) => {
  fake.enqueue({ mode: 'server-error' }, { mode: 'server-error' }, { mode: 'server-error' });
  let outcome: Awaited<ReturnType<typeof drain>> | undefined;
  t.equal(await countRequests(async () => (outcome = await drain(fakeProvider(fake, { maxRetries: 2 }).chat(HI)))), 3);
  t.match(outcome!.error, { code: 'VAPI_ERR_LLM_SERVER' });
});

t.test('429 honours Retry-After before retrying; without retries it is rate_limit with retryAfterMs', async (t) => {
  fake.enqueue({ mode: 'rate-limited', retryAfter: '1' });
  const started = performance.now();
  const { events, error } = await drain(fakeProvider(fake, { maxRetries: 1 }).chat(HI));
  const waited = performance.now() - started;
  t.error(error);
  t.equal(textOf(events), 'Hello, world!');
  t.ok(waited >= 950, `waited ${waited.toFixed(0)} ms for Retry-After: 1`);

  fake.enqueue({ mode: 'rate-limited', retryAfter: '1' });
  t.match((await drain(fakeProvider(fake).chat(HI))).error, { code: 'VAPI_ERR_LLM_RATE_LIMIT', category: 'rate_limit', retryable: true, details: { retryAfterMs: 1000 } });
});

t.test('a Retry-After too long for a live call is not waited for', async (t) => {
  fake.enqueue({ mode: 'rate-limited', retryAfter: '60' });
  const started = performance.now();
  let outcome: Awaited<ReturnType<typeof drain>> | undefined;
  t.equal(await countRequests(async () => (outcome = await drain(fakeProvider(fake, { maxRetries: 3 }).chat(HI)))), 1);
  t.match(outcome!.error, { code: 'VAPI_ERR_LLM_RATE_LIMIT', details: { retryAfterMs: 60000 } });
  t.ok(performance.now() - started < 10_000, 'well before the 60 s Retry-After');
});

t.test('failures before any output are retried: a dropped connection, an error as first event', async (t) => {
  for (const mode of ['drop-first', 'error-first'] as const) {
    fake.enqueue({ mode });
    const { events, error } = await drain(fakeProvider(fake, { maxRetries: 1 }).chat(HI));
    t.error(error, mode);
    t.equal(textOf(events), 'Hello, world!', mode);
  }
});

t.test('failures after output are never retried', async (t) => {
  const cases = [
    ['drop', 'VAPI_ERR_LLM_CONNECTION_LOST', 'connectivity'],
    ['stream-error', 'VAPI_ERR_LLM_STREAM_ERROR', 'server'],
  ] as const;
  for (const [mode, code, category] of cases) {
    fake.enqueue({ mode });
    let outcome: Awaited<ReturnType<typeof drain>> | undefined;
    t.equal(await countRequests(async () => (outcome = await drain(fakeProvider(fake, { maxRetries: 3 }).chat(HI)))), 1, mode);
    t.equal(textOf(outcome!.events), 'Hello, ', `${mode}: the text before the failure was delivered`);
    t.match(outcome!.error, { code, category }, mode);
  }
});

t.test('connection refused is connectivity, retried, then thrown', async (t) => {
  const port = await closedPort();
  const started = performance.now();
  const { error } = await drain(fakeProvider(fake, { baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 1 }).chat(HI));
  t.match(error, { code: 'VAPI_ERR_LLM_CONNECT_FAILED', category: 'connectivity', retryable: true, details: { errno: 'ECONNREFUSED' } });
  t.ok(performance.now() - started >= 200, 'waited the backoff before the retry');
});

t.test('no response headers within connectTimeoutMs: timeout, and the connection is closed', async (t) => {
  fake.enqueue({ mode: 'hang' });
  const started = performance.now();
  const { error } = await drain(fakeProvider(fake, { connectTimeoutMs: 200 }).chat(HI));
  const elapsed = performance.now() - started;
  t.match(error, { code: 'VAPI_ERR_LLM_CONNECT_TIMEOUT', category: 'timeout', retryable: true, details: { timeoutMs: 200 } });
  t.ok(elapsed >= 190 && elapsed < 5000, `${elapsed.toFixed(0)} ms`);
  t.equal(await within(fake.requests.at(-1)!.closed.then(() => 'closed'), 2000, 'open'), 'closed');
});

t.test('only keep-alive comments for firstTokenTimeoutMs: timeout, though bytes keep coming', async (t) => {
  fake.enqueue({ mode: 'keep-alive-only', intervalMs: 30 });
  const started = performance.now();
  const { error } = await drain(fakeProvider(fake, { firstTokenTimeoutMs: 300, idleTimeoutMs: 100 }).chat(HI));
  const elapsed = performance.now() - started;
  t.match(error, { code: 'VAPI_ERR_LLM_FIRST_TOKEN_TIMEOUT', category: 'timeout' });
  t.ok(elapsed >= 290 && elapsed < 5000, `${elapsed.toFixed(0)} ms`);
});

t.test('a stall after some text: the text, then an idle timeout', async (t) => {
  fake.enqueue({ mode: 'stall' });
  const started = performance.now();
  const { events, error } = await drain(fakeProvider(fake, { idleTimeoutMs: 200, maxRetries: 2 }).chat(HI));
  const elapsed = performance.now() - started;
  t.equal(textOf(events), 'Hello, ');
  t.match(error, { code: 'VAPI_ERR_LLM_IDLE_TIMEOUT', category: 'timeout', details: { timeoutMs: 200 } });
  t.ok(elapsed >= 190 && elapsed < 5000, `${elapsed.toFixed(0)} ms`);
  t.equal(await within(fake.requests.at(-1)!.closed.then(() => 'closed'), 2000, 'open'), 'closed', 'the connection is closed');
});

t.test('a slow consumer is not mistaken for a stalled vendor', async (t) => {
  const llm = fakeProvider(fake, { idleTimeoutMs: 50 });
  const events = [];
  for await (const event of llm.chat({ ...HI, model: 'text' })) {
    events.push(event);
    await new Promise((resolve) => setTimeout(resolve, 120));
  }
  t.equal(events.at(-1)?.type, 'done');
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
