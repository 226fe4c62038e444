/** What goes on the wire: path, headers and body, for every preset. */
import t from 'tap';
import type { LlmRequest } from '@vapi-cn/sdk-plugin-api';
import { captureLogger } from '@vapi-cn/sdk-plugin-api/testkit';
import { OpenAiCompatibleLlm } from '../src/openai-compatible-llm.js';
import { PRESET_NAMES, PRESETS } from '../src/presets.js';
import { resolveProviderConfig } from '../src/provider-config.js';
import { FAKE_API_KEY, FakeOpenAiServer } from './fake-openai-server.js';
import { drain, fakeProvider, textOf } from './helpers.js';

const fake = await FakeOpenAiServer.start();
t.teardown(() => fake.close());
const TIMEOUTS = { connectTimeoutMs: 5000, firstTokenTimeoutMs: 5000, idleTimeoutMs: 5000, maxRetries: 0 };

const CONVERSATION: LlmRequest = {
  messages: [
    { role: 'system', content: '你是电话客服。' },
    { role: 'user', content: '北京天气怎么样？' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"北京"}' }] },
    { role: 'tool', toolCallId: 'call_1', content: '{"temp":25}' },
    { role: 'assistant', content: '二十五度。' },
    { role: 'user', content: '谢谢' },
  ],
  tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
};

t.test('POST {base}/chat/completions with Bearer auth, JSON, and the OpenAI body shape', async (t) => {
  const { error } = await drain(fakeProvider(fake, { model: 'deepseek-chat' }).chat(CONVERSATION));
  t.error(error);
  const request = fake.requests.at(-1)!;
  t.equal(request.path, '/v1/chat/completions');
  t.equal(request.headers.authorization, `Bearer ${FAKE_API_KEY}`);
  t.match(request.headers['content-type'], /^application\/json/);
  t.equal(request.headers.accept, 'text/event-stream');
  t.same(request.body, {
    model: 'deepseek-chat',
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: 'system', content: '你是电话客服。' },
      { role: 'user', content: '北京天气怎么样？' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":25}' },
      { role: 'assistant', content: '二十五度。' },
      { role: 'user', content: '谢谢' },
    ],
    tools: [
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      },
    ],
  });
});

t.test('per-request model, temperature, maxTokens and extra over the provider defaults', async (t) => {
  const llm = fakeProvider(fake, { model: 'qwen-plus', temperature: 0.3, extraBody: { enable_thinking: false, top_p: 0.8 }, headers: { 'X-Trace': 'abc' } });
  await drain(llm.chat({ messages: [{ role: 'user', content: 'hi' }] }));
  t.match(fake.requests.at(-1)!.body, { model: 'qwen-plus', temperature: 0.3, enable_thinking: false, top_p: 0.8 });
  t.notOk('max_tokens' in fake.requests.at(-1)!.body, 'no max_tokens unless asked');
  t.notOk('tools' in fake.requests.at(-1)!.body, 'no tools key without tools');
  t.equal(fake.requests.at(-1)!.headers['x-trace'], 'abc');

  await drain(llm.chat({ messages: [{ role: 'user', content: 'hi' }], model: 'qwen-max', temperature: 0.9, maxTokens: 64, extra: { enable_thinking: true, stream: false, stream_options: { include_usage: false } } }));
  t.match(fake.requests.at(-1)!.body, { model: 'qwen-max', temperature: 0.9, max_tokens: 64, enable_thinking: true, top_p: 0.8 });
  t.match(fake.requests.at(-1)!.body, { stream: true, stream_options: { include_usage: true } }, 'extra cannot turn streaming or usage off');
});

t.test('a configured Authorization header replaces the Bearer key rather than doubling it', async (t) => {
  fake.apiKey = 'other-key';
  t.teardown(() => (fake.apiKey = FAKE_API_KEY));
  const { error } = await drain(fakeProvider(fake, { headers: { Authorization: 'Bearer other-key' } }).chat({ messages: [{ role: 'user', content: 'hi' }] }));
  t.error(error);
  t.equal(fake.requests.at(-1)!.headers.authorization, 'Bearer other-key');
});

t.test("every preset: its base path and default model reach the fake when it stands in for the vendor's host", async (t) => {
  t.same(PRESETS.deepseek.baseUrl, 'https://api.deepseek.com/v1');
  t.same(PRESETS.qwen.baseUrl, 'https://dashscope.aliyuncs.com/compatible-mode/v1');
  t.same(PRESETS.glm.baseUrl, 'https://open.bigmodel.cn/api/paas/v4');
  t.same(PRESETS.kimi.baseUrl, 'https://api.moonshot.cn/v1');
  t.same(PRESETS.openai.baseUrl, 'https://api.openai.com/v1');
  t.same(PRESETS.stepfun.baseUrl, 'https://api.stepfun.com/v1');
  t.same(PRESETS.ollama.baseUrl, 'http://127.0.0.1:11434/v1');
  t.same(PRESETS.vllm.baseUrl, 'http://127.0.0.1:8000/v1');
  for (const name of PRESET_NAMES) {
    const preset = PRESETS[name];
    const keyless = !preset.needsApiKey;
    fake.apiKey = keyless ? undefined : FAKE_API_KEY;
    const resolved = resolveProviderConfig(name, { preset: name, apiKey: keyless ? undefined : FAKE_API_KEY, model: 'model' in preset ? undefined : 'local-model', ...TIMEOUTS });
    t.equal(resolved.url, `${preset.baseUrl}/chat/completions`, `${name}: URL from the preset`);
    // Same path, the fake's origin: nothing leaves this machine.
    const basePath = new URL(preset.baseUrl).pathname;
    const onFake = resolveProviderConfig(name, { preset: name, baseUrl: fake.origin + basePath, apiKey: keyless ? undefined : FAKE_API_KEY, model: 'model' in preset ? undefined : 'local-model', ...TIMEOUTS });
    const { events, error } = await drain(new OpenAiCompatibleLlm(onFake, captureLogger([])).chat({ messages: [{ role: 'user', content: 'hi' }] }));
    t.error(error, name);
    t.equal(textOf(events), 'Hello, world!', `${name}: streamed`);
    const request = fake.requests.at(-1)!;
    t.equal(request.path, `${basePath}/chat/completions`, `${name}: path`);
    t.equal(request.body.model, 'model' in preset ? preset.model : 'local-model', `${name}: model`);
    t.equal(request.headers.authorization, keyless ? undefined : `Bearer ${FAKE_API_KEY}`, `${name}: auth header`);
  }
  fake.apiKey = FAKE_API_KEY;
});

t.test('a trailing slash on baseUrl is tolerated', async (t) => {
  t.equal(resolveProviderConfig('x', { baseUrl: 'http://127.0.0.1:1/v1/', model: 'm', ...TIMEOUTS }).url, 'http://127.0.0.1:1/v1/chat/completions');
});
