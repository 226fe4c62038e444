/** The plugin as the server sees it: options, defaults, and one LlmProvider per named entry. */
import t from 'tap';
import { providerRefs } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';
import { FAKE_API_KEY, FakeOpenAiServer } from './fake-openai-server.js';
import { drain, textOf } from './helpers.js';

const fake = await FakeOpenAiServer.start();
t.teardown(() => fake.close());

t.test('two named providers register under their keys and stream from their own endpoints', async (t) => {
  const harness = await setupPlugin(plugin, {
    options: {
      providers: {
        fast: { preset: 'deepseek', baseUrl: fake.baseUrl('/v1'), apiKey: FAKE_API_KEY },
        smart: { preset: 'qwen', baseUrl: fake.baseUrl('/compatible-mode/v1'), apiKey: FAKE_API_KEY, model: 'qwen-max', extraBody: { enable_thinking: false } },
      },
    },
  });
  const registry = harness.registry(providerRefs.llm);
  t.same(registry.keys().sort(), ['fast', 'smart']);
  t.equal(registry.providerOf('fast'), 'llm-openai-compatible');
  const fast = registry.get('fast')!;
  const smart = registry.get('smart')!;
  t.equal(fast.name, 'fast');
  t.equal(smart.name, 'smart');
  t.same(fast.capabilities, { tools: true, models: [] });

  t.equal(textOf((await drain(fast.chat({ messages: [{ role: 'user', content: 'hi' }] }))).events), 'Hello, world!');
  t.match(fake.requests.at(-1), { path: '/v1/chat/completions', body: { model: 'deepseek-chat' } });
  t.equal(textOf((await drain(smart.chat({ messages: [{ role: 'user', content: 'hi' }] }))).events), 'Hello, world!');
  t.match(fake.requests.at(-1), { path: '/compatible-mode/v1/chat/completions', body: { model: 'qwen-max', enable_thinking: false } });

  const ready = harness.logs.find((l) => l.msg === 'LLM providers ready');
  t.ok(ready, 'one line at setup');
  t.notMatch(JSON.stringify(harness.logs), FAKE_API_KEY, 'the key is never logged');
});

t.test('defaults are filled in per provider', async (t) => {
  const harness = await setupPlugin(plugin, { options: { providers: { local: { preset: 'ollama', model: 'qwen2.5:7b' } } } });
  t.same(harness.options, {
    providers: { local: { preset: 'ollama', model: 'qwen2.5:7b', connectTimeoutMs: 10000, firstTokenTimeoutMs: 15000, idleTimeoutMs: 10000, maxRetries: 1 } },
  });
});

t.test('options are checked', async (t) => {
  const invalid = async (providers: unknown, code: string, message: RegExp, why: string) =>
    t.rejects(setupPlugin(plugin, { options: { providers } as Record<string, unknown> }), { code, message }, why);
  await invalid({}, 'VAPI_ERR_CONFIG_VALUE', /providers/, 'at least one provider');
  await invalid({ a: { preset: 'gemini', apiKey: 'k' } }, 'VAPI_ERR_CONFIG_VALUE', /preset/, 'unknown preset');
  await invalid({ a: { preset: 'deepseek', apiKey: 'k', timeout: 5 } }, 'VAPI_ERR_CONFIG_VALUE', /timeout|additional/i, 'unknown key');
  await invalid({ a: { preset: 'deepseek', apiKey: 'k', maxRetries: 9 } }, 'VAPI_ERR_CONFIG_VALUE', /maxRetries/, 'retries bounded');
  await invalid({ a: { model: 'm' } }, 'VAPI_ERR_LLM_CONFIG', /neither a preset nor a baseUrl/, 'no endpoint');
  await invalid({ a: { preset: 'deepseek' } }, 'VAPI_ERR_LLM_CONFIG', /needs an apiKey/, 'hosted preset without a key');
  await invalid({ a: { preset: 'vllm' } }, 'VAPI_ERR_LLM_CONFIG', /needs a model/, 'vLLM has no default model');
  await invalid({ a: { baseUrl: 'ftp://x/v1', model: 'm' } }, 'VAPI_ERR_LLM_CONFIG', /not an http\(s\) URL/, 'bad URL');
  const error = await setupPlugin(plugin, { options: { providers: { a: { preset: 'deepseek' } } } }).catch((e: unknown) => e);
  t.match(error, { category: 'invalid_request', fix: /providers\.a\.apiKey/ });
});

t.test('a custom endpoint needs no key and no preset', async (t) => {
  const harness = await setupPlugin(plugin, { options: { providers: { mine: { baseUrl: fake.baseUrl(), model: 'text' } } } });
  fake.apiKey = undefined;
  t.teardown(() => (fake.apiKey = FAKE_API_KEY));
  const { events, error } = await drain(harness.registry(providerRefs.llm).get('mine')!.chat({ messages: [{ role: 'user', content: 'hi' }] }));
  t.error(error);
  t.equal(textOf(events), 'Hello, world!');
  t.equal(fake.requests.at(-1)!.headers.authorization, undefined);
});
