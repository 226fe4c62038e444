/** The §3.3 checklist, end to end against the fake server: what each stream shape yields. */
import t from 'tap';
import type { LlmEvent } from '@vapi-cn/sdk-plugin-api';
import { FakeOpenAiServer } from './fake-openai-server.js';
import { drain, fakeProvider, textOf } from './helpers.js';

const fake = await FakeOpenAiServer.start();
t.teardown(() => fake.close());
const llm = fakeProvider(fake);
const ask = (model: string) => drain(llm.chat({ model, messages: [{ role: 'user', content: '你好' }] }));

const WEATHER = { id: 'call_frag0', name: 'get_weather', arguments: '{"city":"北京","unit":"celsius"}' };
const USAGE: LlmEvent = { type: 'usage', promptTokens: 17, completionTokens: 9 };

t.test('text: each piece as a text-delta, then usage, then done stop', async (t) => {
  const { events, error } = await ask('text');
  t.error(error);
  t.same(events, [
    { type: 'text-delta', text: 'Hello' },
    { type: 'text-delta', text: ', ' },
    { type: 'text-delta', text: 'world' },
    { type: 'text-delta', text: '!' },
    USAGE,
    { type: 'done', finishReason: 'stop' },
  ]);
});

t.test('text arrives as it is sent, before the stream ends', async (t) => {
  fake.enqueue({ mode: 'slow', intervalMs: 30 });
  const controller = new AbortController();
  const stream = llm.chat({ messages: [{ role: 'user', content: 'hi' }], signal: controller.signal });
  const seen: string[] = [];
  for await (const event of stream) {
    if (event.type === 'text-delta') seen.push(event.text);
    if (seen.length === 3) controller.abort();
  }
  t.same(seen, ['w0 ', 'w1 ', 'w2 ']);
});

t.test("keep-alive comments before the first chunk (DeepSeek) are ignored", async (t) => {
  const { events, error } = await ask('keep-alive');
  t.error(error);
  t.equal(textOf(events), 'Hello, world!');
  t.same(events.at(-1), { type: 'done', finishReason: 'stop' });
});

t.test('reasoning_content comes as reasoning-delta, before the text, never as text', async (t) => {
  const { events, error } = await ask('reasoning');
  t.error(error);
  t.same(
    events.filter((e) => e.type === 'reasoning-delta'),
    ['用户', '在打招呼，', '我应该回应。'].map((text) => ({ type: 'reasoning-delta', text })),
  );
  t.equal(textOf(events), 'Hello, world!');
  t.ok(events.findIndex((e) => e.type === 'reasoning-delta') < events.findIndex((e) => e.type === 'text-delta'));
});

t.test('tool calls: every chunking style gives each call once, complete, then done tool_calls', async (t) => {
  const expected: Record<string, Array<typeof WEATHER>> = {
    'tools-fragmented': [WEATHER],
    'tools-whole': [{ ...WEATHER, id: 'call_whole0' }],
    'tools-repeated-id': [{ ...WEATHER, id: 'call_rep0' }],
    'tools-fresh-id': [{ ...WEATHER, id: 'get_weather:0' }],
    'tools-parallel': [
      { ...WEATHER, id: 'call_par0' },
      { id: 'call_par1', name: 'get_time', arguments: '{"timezone":"Asia/Shanghai"}' },
    ],
  };
  for (const [mode, calls] of Object.entries(expected)) {
    const { events, error } = await ask(mode);
    t.error(error, mode);
    t.same(events, [...calls.map((call) => ({ type: 'tool-call', call })), USAGE, { type: 'done', finishReason: 'tool_calls' }], mode);
  }
});

t.test('a data object with an error field, after text: the text, then a server VapiError', async (t) => {
  const { events, error } = await ask('stream-error');
  t.equal(textOf(events), 'Hello, ');
  t.match(error, { name: 'VapiError', code: 'VAPI_ERR_LLM_STREAM_ERROR', category: 'server', message: /The model is overloaded/ });
});

t.test('event: error is a VapiError too', async (t) => {
  const { events, error } = await ask('event-error');
  t.equal(textOf(events), 'Hello');
  t.match(error, { code: 'VAPI_ERR_LLM_STREAM_ERROR', message: /Internal inference failure/ });
});

t.test('anything after [DONE] is ignored', async (t) => {
  const { events, error } = await ask('after-done');
  t.error(error);
  t.equal(textOf(events), 'Hello, world!');
  t.equal(events.filter((e) => e.type === 'done').length, 1);
});

t.test('finish_reason insufficient_system_resource (DeepSeek) is a server VapiError after the text', async (t) => {
  const { events, error } = await ask('insufficient-resource');
  t.equal(textOf(events), 'Hello');
  t.match(error, { code: 'VAPI_ERR_LLM_GENERATION_INTERRUPTED', category: 'server' });
});

t.test('CRLF framing and events written in 3-byte pieces parse the same', async (t) => {
  for (const script of [{ lineEnding: '\r\n' as const }, { splitBytes: 3 }, { splitBytes: 3, lineEnding: '\r\n' as const }]) {
    fake.enqueue({ mode: 'tools-parallel', ...script });
    const { events, error } = await ask('any');
    t.error(error);
    t.equal(events.filter((e) => e.type === 'tool-call').length, 2, JSON.stringify(script));
    t.same(events.at(-1), { type: 'done', finishReason: 'tool_calls' });
  }
});

t.test('Chinese text split inside characters arrives intact', async (t) => {
  const pieces = ['你好！', '我是语音助手，', '今天北京晴，气温二十五度。', '😀'];
  for (const splitBytes of [1, 2, 3, 4, 5]) {
    fake.enqueue({ mode: 'text', pieces, splitBytes });
    const { events, error } = await ask('any');
    t.error(error);
    t.same(
      events.filter((e) => e.type === 'text-delta'),
      pieces.map((text) => ({ type: 'text-delta', text })),
      `${splitBytes}-byte writes`,
    );
  }
});
