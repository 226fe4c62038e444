import t from 'tap';
import { stageRefs, type CallScope, type LlmProvider, type SttProvider, type TtsProvider } from '@vapi-cn/sdk-plugin-api';
import { captureLogger, FakeLlmProvider, FakeSttProvider, FakeTtsProvider, setupPlugin, VirtualClock, type CapturedLog } from '@vapi-cn/sdk-plugin-api/testkit';
import pacerPlugin from '../../../plugins/stage-pacer/src/index.js';
import resamplerPlugin from '../../../plugins/stage-resample-speex/src/index.js';
import vadPlugin from '../../../plugins/stage-vad-webrtc/src/index.js';
import { CallSession } from '../../src/call/call-session.js';
import { TurnMetrics } from '../../src/call/turn-metrics.js';
import { CollectionRegistry } from '../../src/container/collection-registry.js';
import { resolveAssistantSettings } from '../../src/conversation/assistant-settings.js';
import { PromMetrics } from '../../src/metrics/prom-metrics.js';
import { FakeLeg } from './fake-leg.js';

const stageClock = new VirtualClock();
const stages = {
  vads: (await setupPlugin(vadPlugin)).registry(stageRefs.vads),
  resamplers: (await setupPlugin(resamplerPlugin)).registry(stageRefs.resamplers),
  pacers: (await setupPlugin(pacerPlugin, { deps: { 'core.clock': stageClock } })).registry(stageRefs.pacers),
};

function registry<T>(entries: Record<string, T>): CollectionRegistry<T> {
  const r = new CollectionRegistry<T>();
  for (const [k, v] of Object.entries(entries)) r.add(k, v, 'test');
  return r;
}

function fakeCall() {
  const events: Array<{ type: string; payload: Record<string, unknown> }> = [];
  const logs: CapturedLog[] = [];
  const controller = new AbortController();
  let endedWith: string | undefined;
  const call = {
    id: 'call-1',
    log: captureLogger(logs),
    signal: controller.signal,
    get ended() {
      return endedWith !== undefined;
    },
    onEnd: () => {},
    answered: async () => {},
    event: async (type: string, payload: Record<string, unknown>) => void events.push({ type, payload }),
    end: async (reason: string) => {
      endedWith ??= reason;
      controller.abort();
    },
  } as unknown as CallScope;
  return { call, events, logs, endedWith: () => endedWith };
}

interface Setup {
  /** The session's clock; give it when a provider below must run on it too. */
  clock?: VirtualClock;
  config?: Record<string, unknown>;
  stt?: SttProvider;
  llm?: LlmProvider;
  tts?: TtsProvider;
  extraTts?: Record<string, TtsProvider>;
  settings?: () => Record<string, unknown>;
}

async function startSession(t: { teardown(fn: () => unknown): void }, setup: Setup) {
  const clock = setup.clock ?? new VirtualClock();
  const leg = new FakeLeg(clock);
  const { call, events, endedWith } = fakeCall();
  const stt = setup.stt ?? new FakeSttProvider({ name: 'fake', clock, script: ['what time is it'] });
  const llm = setup.llm ?? new FakeLlmProvider({ name: 'fake', clock, script: ['It is ten o clock.'] });
  const tts = setup.tts ?? new FakeTtsProvider({ name: 'fake', clock, sampleRates: [8000] });
  const base = {
    stt: { provider: 'fake' },
    llm: { provider: 'fake' },
    tts: { provider: 'fake' },
    vad: { provider: 'webrtc', minSpeechMs: 100, minSilenceMs: 200 },
    firstMessageMode: 'caller-first',
    ...setup.config,
  };
  const metrics = new TurnMetrics(new PromMetrics({ defaultMetrics: false }));
  const session = await CallSession.start({
    leg,
    call,
    clock,
    settings: async () => resolveAssistantSettings(setup.settings ? { ...base, ...setup.settings() } : base),
    providers: { stt: registry({ fake: stt }), llm: registry({ fake: llm }), tts: registry({ fake: tts, ...setup.extraTts }) },
    stages: {
      ...stages,
      // The pacer must run on this test's clock.
      pacers: registry({ default: { name: 'default', create: (o) => stages.pacers.get('default')!.create({ ...o, clock }) } }),
    },
    metrics,
  });
  t.teardown(() => session.end('test-end'));
  return { clock, leg, session, events, metrics, endedWith };
}

/** Runs the caller's speech and the clock together. */
async function talk(clock: VirtualClock, leg: FakeLeg, speechMs: number, thenSilenceMs = 600) {
  const speaking = leg.say(speechMs).then(() => leg.silence(thenSilenceMs));
  await clock.advance(speechMs + thenSilenceMs + 20);
  await speaking;
}

t.test('greeting, then a turn: transcript → reply → audio, with voice-to-voice measured', async (t) => {
  const { clock, leg, events, metrics } = await startSession(t, { config: { firstMessageMode: 'assistant-first', firstMessage: 'Hello, {{name}}.', variables: { name: 'Li' } } });
  await clock.advance(1500);
  t.ok(leg.botAudioAfter(0) > 0, 'the greeting was spoken');
  t.match(events.find((e) => e.type === 'transcript'), { payload: { role: 'assistant', text: 'Hello, Li.' } });
  const before = clock.monotonic();
  await talk(clock, leg, 600);
  await clock.advance(2000);
  t.match(events.filter((e) => e.type === 'transcript').map((e) => e.payload), [
    { role: 'assistant', text: 'Hello, Li.' },
    { role: 'user', text: 'what time is it' },
    { role: 'assistant', text: 'It is ten o clock.' },
  ]);
  t.ok(leg.botAudioAfter(before + 600) > 0, 'the reply was spoken');
  const turn = metrics.turns.find((x) => x.voiceToVoiceMs !== undefined && x.endpointingMs !== undefined);
  t.ok(turn, 'a turn with voice-to-voice latency');
  t.ok(turn!.voiceToVoiceMs! >= 300 && turn!.voiceToVoiceMs! <= 360, `v2v ${turn!.voiceToVoiceMs} ms: the 300 ms endpointing wait, plus at most one frame`);
});

t.test('barge-in: the bot stops on the wire, history keeps what was heard', async (t) => {
  const long = 'First sentence here. Second sentence is quite a bit longer than the first one. Third sentence ends it.';
  const { clock, leg, events, metrics } = await startSession(t, {
    stt: new FakeSttProvider({ name: 'fake', script: ['tell me a story', 'stop please'] }),
    llm: new FakeLlmProvider({ name: 'fake', script: [long, 'Okay, stopping.'] }),
    tts: new FakeTtsProvider({ name: 'fake', sampleRates: [8000], msPerChar: 60 }),
  });
  await talk(clock, leg, 600);
  await clock.advance(1000);
  t.ok(leg.botAudioAfter(clock.monotonic() - 200) > 0, 'the bot is speaking');
  const interruptAt = clock.monotonic();
  const speaking = leg.say(700).then(() => leg.silence(600));
  await clock.advance(400);
  // The VAD needs 100 ms of speech, then bargeIn.minSpeechMs (200) must pass: audio stops after that.
  const stoppedFrames = leg.sent.filter((f) => f.at > interruptAt + 100 + 200 + 20 && f.at < interruptAt + 400 && f.level > -60).length;
  t.equal(stoppedFrames, 0, 'no bot audio after the minimum speech duration');
  const stop = metrics.turns.find((x) => x.bargeInStopMs !== undefined)?.bargeInStopMs;
  t.ok(stop !== undefined && stop <= 20, `bot audio stopped ${stop} ms after the minimum speech duration`);
  await clock.advance(1500);
  await speaking;
  const bargeIn = events.find((e) => e.type === 'barge-in');
  t.ok(bargeIn, 'barge-in recorded');
  const heard = String(bargeIn!.payload.heardText);
  t.ok(heard.length > 0 && heard.length < long.length && long.startsWith(heard), `heard "${heard}"`);
  t.match(events.filter((e) => e.type === 'transcript' && e.payload.role === 'user').map((e) => e.payload.text), ['tell me a story', 'stop please']);
});

t.test('a filler ("嗯") does not interrupt: playback resumes', async (t) => {
  const reply = 'This reply should be heard in full by the caller.';
  const { clock, leg, events } = await startSession(t, {
    stt: new FakeSttProvider({ name: 'fake', script: ['hello', '嗯'] }),
    llm: new FakeLlmProvider({ name: 'fake', script: [reply] }),
    tts: new FakeTtsProvider({ name: 'fake', sampleRates: [8000], msPerChar: 50 }),
  });
  await talk(clock, leg, 500);
  await clock.advance(600);
  await talk(clock, leg, 400, 700);
  await clock.advance(4000);
  t.ok(events.some((e) => e.type === 'false-interruption'), 'recorded as a false interruption');
  t.notOk(events.some((e) => e.type === 'barge-in'));
  t.match(events.filter((e) => e.type === 'transcript').map((e) => e.payload), [{ role: 'user', text: 'hello' }, { role: 'assistant', text: reply }]);
});

t.test('an LLM that fails: the caller hears the fallback line, the call ends cleanly with its record', async (t) => {
  const llm = new FakeLlmProvider({ name: 'fake' });
  llm.induce('server');
  const { clock, leg, events, endedWith } = await startSession(t, { llm, config: { fallbackLine: 'Sorry, please call back.' } });
  await talk(clock, leg, 500);
  await clock.advance(3000);
  t.match(events.find((e) => e.type === 'error'), { payload: { category: 'server' } });
  t.ok(leg.botAudioAfter(0) > 0, 'the fallback line was spoken');
  t.equal(endedWith(), 'error');
  t.equal(leg.hungUp, 'error');
  t.match(events.find((e) => e.type === 'end-of-call-report'), { payload: { reason: 'error', transcript: [{ role: 'user' }] } });
});

t.test('silence: idle prompts, then the call ends', async (t) => {
  const { clock, leg, events, endedWith } = await startSession(t, { config: { turn: { idleTimeoutMs: 1000, idlePrompts: ['Are you there?'], maxIdlePrompts: 1 } } });
  await clock.advance(1500);
  t.match(events.filter((e) => e.type === 'transcript').map((e) => e.payload), [{ role: 'assistant', text: 'Are you there?' }]);
  t.ok(leg.botAudioAfter(0) > 0);
  await clock.advance(1500);
  t.equal(endedWith(), 'silence-timeout');
});

t.test('an operator switches TTS between turns; the next turn uses the new provider', async (t) => {
  const second = new FakeTtsProvider({ name: 'fake2', sampleRates: [8000] });
  let ttsName = 'fake';
  const { clock, leg } = await startSession(t, {
    stt: new FakeSttProvider({ name: 'fake', script: ['one', 'two'] }),
    extraTts: { fake2: second },
    settings: () => ({ tts: { provider: ttsName } }),
  });
  await talk(clock, leg, 500);
  await clock.advance(1500);
  t.equal(second.stats.calls, 0);
  ttsName = 'fake2';
  await talk(clock, leg, 500);
  await clock.advance(1500);
  t.ok(second.stats.calls > 0, 'the second turn spoke through the new provider');
});

t.test('an LLM that hangs or drops mid-stream: fallback line, clean end, record kept', async (t) => {
  for (const failure of ['timeout', 'disconnect'] as const) {
    const shared = new VirtualClock();
    const llm = new FakeLlmProvider({ name: 'fake', clock: shared, idleTimeoutMs: 500 });
    llm.induce(failure);
    const { clock, leg, events, endedWith } = await startSession(t, { clock: shared, llm, config: { fallbackLine: 'Sorry, please call back.' } });
    await talk(clock, leg, 500);
    await clock.advance(4000);
    t.match(events.find((e) => e.type === 'error'), { payload: { category: failure === 'timeout' ? 'timeout' : /connectivity|server/ } }, `${failure}: recorded`);
    t.ok(events.some((e) => e.type === 'transcript' && e.payload.text === 'Sorry, please call back.'), `${failure}: fallback line said`);
    t.equal(endedWith(), 'error');
    t.ok(events.some((e) => e.type === 'end-of-call-report'), `${failure}: report kept`);
  }
});

t.test('a TTS that fails: the call ends cleanly at once, with its record', async (t) => {
  const tts = new FakeTtsProvider({ name: 'fake', sampleRates: [8000] });
  tts.induce('server');
  const { clock, leg, events, endedWith } = await startSession(t, { tts });
  await talk(clock, leg, 500);
  await clock.advance(3000);
  t.match(events.filter((e) => e.type === 'error').map((e) => e.payload), [{ category: 'server' }]);
  t.equal(endedWith(), 'error');
  t.equal(leg.hungUp, 'error');
  t.ok(events.some((e) => e.type === 'end-of-call-report'));
});

t.test('an assistant naming an LLM that no plugin provides: recorded, fallback, clean end', async (t) => {
  const { clock, leg, events, endedWith } = await startSession(t, { config: { llm: { provider: 'nope' }, fallbackLine: 'One moment, I cannot answer now.' } });
  await talk(clock, leg, 500);
  await clock.advance(3000);
  t.match(events.find((e) => e.type === 'error'), { payload: { code: 'VAPI_ERR_ASSISTANT_PROVIDER', message: /'nope'/ } });
  t.ok(events.some((e) => e.type === 'transcript' && e.payload.text === 'One moment, I cannot answer now.'));
  t.equal(endedWith(), 'error');
});

t.test('end-call phrases and the maximum duration end the call', async (t) => {
  const phrase = await startSession(t, { llm: new FakeLlmProvider({ name: 'fake', script: ['Thank you for calling, goodbye.'] }), config: { turn: { endCallPhrases: ['goodbye'] } } });
  await talk(phrase.clock, phrase.leg, 500);
  await phrase.clock.advance(4000);
  t.equal(phrase.endedWith(), 'assistant-ended-call');
  const long = await startSession(t, { config: { turn: { maxDurationMs: 2000, idleTimeoutMs: 60000 } } });
  await long.clock.advance(2100);
  t.equal(long.endedWith(), 'max-duration');
});

t.test("the call is heard at the leg's rate when the STT takes it, resampled for one that does not", async (t) => {
  for (const [sttRates, expectedRate] of [
    [[16000, 8000], 8000],
    [[16000], 16000],
  ] as const) {
    const clock = new VirtualClock();
    const heard: Array<{ rate: number; ms: number }> = [];
    const stt = new FakeSttProvider({
      name: 'fake',
      clock,
      sampleRates: [...sttRates],
      script: (audio, rate) => {
        heard.push({ rate, ms: (audio.length * 1000) / rate });
        return 'what time is it';
      },
    });
    const { leg, events } = await startSession(t, { clock, stt });
    await talk(clock, leg, 600);
    await clock.advance(2000);
    // The script runs for each interim result and for the final, on the audio so far.
    t.ok(heard.length > 0 && heard.every((h) => h.rate === expectedRate), `STT taking ${sttRates.join('/')} Hz hears ${expectedRate} Hz`);
    const whole = Math.max(...heard.map((h) => h.ms));
    // 600 ms of speech plus the pre-roll before the VAD confirmed it and the silence before it ended.
    t.ok(whole >= 600 && whole <= 1200, `${Math.round(whole)} ms of audio`);
    t.match(events.filter((e) => e.type === 'transcript').map((e) => e.payload), [{ role: 'user', text: 'what time is it' }, { role: 'assistant' }]);
  }
});

t.test('the leg hears what happens: status, live transcript, response sentences, latency, the end', async (t) => {
  const { clock, leg, session } = await startSession(t, {
    config: { firstMessageMode: 'assistant-first', firstMessage: 'Hello.' },
    llm: new FakeLlmProvider({ name: 'fake', script: ['It is ten. Anything else?'] }),
  });
  await clock.advance(1500);
  await talk(clock, leg, 600);
  await clock.advance(3000);
  await session.end('test-end');
  const kinds = leg.notices.map((n) => (n.type === 'status' ? `status:${n.status}` : n.type));
  t.same(kinds.slice(0, 2), ['status:in-progress', 'status:speaking'], 'answered, then the greeting');
  t.match(leg.notices, [
    { type: 'status', status: 'in-progress' },
    { type: 'status', status: 'speaking' },
    { type: 'response', text: 'Hello.', isFinal: false },
    { type: 'response', text: 'Hello.', isFinal: true },
    { type: 'latency', turn: { turn: 1 } },
    { type: 'status', status: 'listening' },
  ]);
  const afterGreeting = leg.notices.slice(leg.notices.findIndex((n) => n.type === 'transcript'));
  t.match(
    afterGreeting.filter((n) => n.type !== 'transcript' || n.isFinal),
    [
      { type: 'transcript', role: 'user', text: 'what time is it', isFinal: true },
      { type: 'status', status: 'speaking' },
      { type: 'response', text: 'It is ten.', isFinal: false },
      { type: 'response', text: 'Anything else?', isFinal: false },
      { type: 'response', text: 'It is ten. Anything else?', isFinal: true },
      { type: 'latency', turn: { voiceToVoiceMs: Number, llmFirstTokenMs: Number, ttsFirstAudioMs: Number } },
      { type: 'status', status: 'listening' },
      { type: 'status', status: 'ended', reason: 'test-end' },
    ],
  );
});
