/**
 * A CallSession on a FakeLeg and a virtual clock, with the real tool runner and fake providers,
 * for the tests of tools and the keypad. Tool errors are recorded as the engine records them.
 */
import { stageRefs, type CallScope, type SttProvider } from '@vapi-cn/sdk-plugin-api';
import { captureLogger, FakeLlmProvider, FakeSttProvider, FakeTtsProvider, setupPlugin, VirtualClock, type FakeLlmOptions } from '@vapi-cn/sdk-plugin-api/testkit';
import pacerPlugin from '../../../plugins/stage-pacer/src/index.js';
import resamplerPlugin from '../../../plugins/stage-resample-speex/src/index.js';
import vadPlugin from '../../../plugins/stage-vad-webrtc/src/index.js';
import { CallSession } from '../../src/call/call-session.js';
import { TurnMetrics } from '../../src/call/turn-metrics.js';
import { CollectionRegistry } from '../../src/container/collection-registry.js';
import { resolveAssistantSettings } from '../../src/conversation/assistant-settings.js';
import { AssistantToolRunner } from '../../src/conversation/tool-runner.js';
import { PromMetrics } from '../../src/metrics/prom-metrics.js';
import { FakeLeg } from './fake-leg.js';

const vads = (await setupPlugin(vadPlugin)).registry(stageRefs.vads);
const resamplers = (await setupPlugin(resamplerPlugin)).registry(stageRefs.resamplers);
const pacerStage = (await setupPlugin(pacerPlugin, { deps: { 'core.clock': new VirtualClock() } })).registry(stageRefs.pacers).get('default')!;

export function registry<T>(entries: Record<string, T>): CollectionRegistry<T> {
  const r = new CollectionRegistry<T>();
  for (const [k, v] of Object.entries(entries)) r.add(k, v, 'test');
  return r;
}

export interface RecordedEvent {
  type: string;
  payload: Record<string, unknown>;
}

export interface HarnessSetup {
  /** The call's assistant ('main') and any a handoff may reach. */
  config?: Record<string, unknown>;
  assistants?: Record<string, Record<string, unknown>>;
  stt?: SttProvider;
  /** The fake LLM's script (default: one sentence). */
  script?: FakeLlmOptions['script'];
  /** Adjusts the leg before the call starts (take away transfer, sendDtmf, client tools...). */
  leg?: (leg: FakeLeg) => void;
}

export async function startHarness(t: { teardown(fn: () => unknown): void }, setup: HarnessSetup = {}) {
  const clock = new VirtualClock();
  const leg = new FakeLeg(clock);
  setup.leg?.(leg);
  const events: RecordedEvent[] = [];
  const controller = new AbortController();
  let endedWith: string | undefined;
  const call = {
    id: 'call-1',
    record: { assistantId: 'main' },
    log: captureLogger([]),
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
  const base = {
    stt: { provider: 'fake' },
    llm: { provider: 'fake' },
    tts: { provider: 'fake' },
    vad: { provider: 'webrtc', minSpeechMs: 100, minSilenceMs: 200 },
    firstMessageMode: 'caller-first',
  };
  const configs: Record<string, Record<string, unknown>> = { main: setup.config ?? {}, ...setup.assistants };
  const llm = new FakeLlmProvider({ name: 'fake', clock, script: setup.script ?? ['It is ten o clock.'] });
  const session = await CallSession.start({
    leg,
    call,
    clock,
    settings: async (id = 'main') => {
      const config = configs[id];
      if (!config) throw new Error(`no assistant '${id}'`);
      return resolveAssistantSettings({ ...base, ...config }, id);
    },
    providers: {
      stt: registry({ fake: setup.stt ?? new FakeSttProvider({ name: 'fake', clock, script: ['where is my order'] }) }),
      llm: registry({ fake: llm }),
      tts: registry({ fake: new FakeTtsProvider({ name: 'fake', clock, sampleRates: [8000], msPerChar: 40 }) }),
    },
    stages: {
      vads,
      resamplers,
      // The pacer must run on this test's clock.
      pacers: registry({ default: { name: 'default', create: (o) => pacerStage.create({ ...o, clock }) } }),
    },
    metrics: new TurnMetrics(new PromMetrics({ defaultMetrics: false })),
    // As CallEngine does: a failed tool call is an `error` event of the call.
    tools: new AssistantToolRunner({
      callId: 'call-1',
      clock,
      onError: (error, toolCall) => void events.push({ type: 'error', payload: { code: error.code, category: error.category, message: error.message, tool: toolCall.name } }),
    }),
  });
  t.teardown(() => session.end('test-end'));

  /** Advances the clock 20 ms at a time until `done` holds (or `maxMs` passed); true when it held. */
  async function until(done: () => boolean, maxMs = 10_000): Promise<boolean> {
    for (let waited = 0; waited < maxMs; waited += 20) {
      if (done()) return true;
      await clock.advance(20);
    }
    return done();
  }

  /** The caller speaks (the STT's next line), then is silent. */
  async function talk(speechMs = 600, silenceMs = 600): Promise<void> {
    const speaking = leg.say(speechMs).then(() => leg.silence(silenceMs));
    await clock.advance(speechMs + silenceMs + 20);
    await speaking;
  }

  const ofType = (type: string) => events.filter((e) => e.type === type);
  const errorCodes = () => ofType('error').map((e) => e.payload.code);
  const said = (role: 'user' | 'assistant') => ofType('transcript').filter((e) => e.payload.role === role).map((e) => e.payload.text);
  return { clock, leg, session, events, llm, endedWith: () => endedWith, until, talk, ofType, errorCodes, said };
}
