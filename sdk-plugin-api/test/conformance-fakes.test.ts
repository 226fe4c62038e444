/** The conformance suites pass against the testkit's own fakes (which therefore follow the contracts). */
import t from 'tap';
import {
  FakeLlmProvider,
  FakeSttProvider,
  FakeTtsProvider,
  llmConformance,
  runWithTap,
  sttConformance,
  ttsConformance,
  type FakeLlmOptions,
  type FakeSttOptions,
  type FakeTtsOptions,
} from '../src/testkit/index.js';

// Short latencies and idle timeouts keep the suites fast; the timing is still real.
const STT: FakeSttOptions = { finalLatencyMs: 20, idleTimeoutMs: 100, script: () => 'hello world' };
const LLM: FakeLlmOptions = {
  firstTokenMs: 5,
  tokenIntervalMs: 2,
  idleTimeoutMs: 100,
  script: ['One, two, three, four, five, six, seven, eight, nine, ten.'],
  rules: [{ when: 'weather', reply: { text: 'Let me check.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Beijing' } }, { name: 'get_time', arguments: {} }] } }],
};
const TTS: FakeTtsOptions = { firstAudioMs: 10, realTimeFactor: 0.1, frameMs: 40, msPerChar: 20, idleTimeoutMs: 100 };

const toolCallRequest = {
  messages: [{ role: 'user' as const, content: 'What is the weather in Beijing, and the time?' }],
  tools: [
    { name: 'get_weather', description: 'Current weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    { name: 'get_time', description: 'Current time', parameters: { type: 'object' } },
  ],
};

t.test('sttConformance: FakeSttProvider with every hook', async (t) => {
  let stt!: FakeSttProvider;
  const cases = sttConformance({ create: () => (stt = new FakeSttProvider(STT)), induce: (f) => stt.induce(f), restore: () => stt.restore() });
  t.same(cases.filter((c) => c.skip), [], 'nothing skipped');
  await runWithTap(t, cases);
});

t.test('sttConformance: FakeSttProvider without interim results, slow to connect, no induce()', async (t) => {
  const cases = sttConformance({ create: () => new FakeSttProvider({ ...STT, interimResults: false, connectMs: 30 }) });
  t.same(
    cases.filter((c) => c.skip).map((c) => c.skip),
    Array(5).fill('no induce() hook given'),
    'the five error-category cases are skipped, saying why',
  );
  await runWithTap(t, cases);
});

t.test('llmConformance: FakeLlmProvider with every hook', async (t) => {
  let llm!: FakeLlmProvider;
  const cases = llmConformance({ create: () => (llm = new FakeLlmProvider(LLM)), induce: (f) => llm.induce(f), restore: () => llm.restore(), toolCallRequest });
  t.same(cases.filter((c) => c.skip), [], 'nothing skipped');
  await runWithTap(t, cases);
});

t.test('llmConformance: FakeLlmProvider in Chinese, some failures inducible, no tool request', async (t) => {
  let llm!: FakeLlmProvider;
  const cases = llmConformance({
    create: () => (llm = new FakeLlmProvider({ ...LLM, script: ['一，二，三，四，五，六，七，八，九，十。'] })),
    induce: (f) => llm.induce(f),
    restore: () => llm.restore(),
    inducible: ['auth', 'server'],
    request: { messages: [{ role: 'user', content: '从一数到十。' }] },
  });
  t.same(
    cases.filter((c) => c.skip).map((c) => c.skip),
    ['no toolCallRequest given', "induce() does not support 'rate_limit'", "induce() does not support 'timeout'", "induce() does not support 'disconnect'"],
  );
  await runWithTap(t, cases);
});

t.test('ttsConformance: FakeTtsProvider with streaming input and every hook', async (t) => {
  let tts!: FakeTtsProvider;
  const cases = ttsConformance({ create: () => (tts = new FakeTtsProvider(TTS)), induce: (f) => tts.induce(f), restore: () => tts.restore() });
  t.same(cases.filter((c) => c.skip), [], 'nothing skipped');
  await runWithTap(t, cases);
});

t.test('ttsConformance: FakeTtsProvider without streaming input, noise, Chinese text', async (t) => {
  let tts!: FakeTtsProvider;
  await runWithTap(
    t,
    ttsConformance({
      create: () => (tts = new FakeTtsProvider({ ...TTS, streamingInput: false, sound: 'noise', sampleRates: [16000] })),
      induce: (f) => tts.induce(f),
      restore: () => tts.restore(),
      text: '你好，这是语音合成的一致性测试。',
      options: { language: 'zh-CN' },
    }),
  );
});
