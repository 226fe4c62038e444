/** The SDK's LLM conformance suite, on this provider against the protocol-faithful fake vendor. */
import t from 'tap';
import { llmConformance, runWithTap, type InducedFailure } from '@vapi-cn/sdk-plugin-api/testkit';
import { FakeOpenAiServer, type Script } from './fake-openai-server.js';
import { fakeProvider } from './helpers.js';

const fake = await FakeOpenAiServer.start();
t.teardown(() => fake.close());

// Each induced session makes exactly one request (no retries), so one queued script fails it.
const FAILURES: Record<InducedFailure, Script> = {
  auth: { mode: 'status', status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } },
  rate_limit: { mode: 'rate-limited' },
  server: { mode: 'server-error' },
  timeout: { mode: 'stall' },
  disconnect: { mode: 'drop' },
};

await runWithTap(
  t,
  llmConformance({
    create: () => fakeProvider(fake, { idleTimeoutMs: 300, firstTokenTimeoutMs: 2000 }),
    induce: (failure) => fake.enqueue(FAILURES[failure]),
    toolCallRequest: {
      messages: [{ role: 'user', content: '北京天气怎么样？' }],
      model: 'tools-fragmented',
      tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    },
    leaks: { settle: () => fake.closeIdleConnections() },
  }),
);
