/**
 * Tools and server events inside a session: a handoff passes the call to another assistant (its
 * events are then sent as that assistant), and a webhook tool's waiting line is spoken while the
 * webhook runs. Real signed HTTP on 127.0.0.1, virtual time for the call.
 */
import type { ServerResponse } from 'node:http';
import t, { type Test } from 'tap';
import { stageRefs, type CallScope, type LlmRequest } from '@vapi-cn/sdk-plugin-api';
import { captureLogger, FakeLlmProvider, FakeSttProvider, FakeTtsProvider, setupPlugin, VirtualClock, type FakeLlmReply } from '@vapi-cn/sdk-plugin-api/testkit';
import pacerPlugin from '../../../plugins/stage-pacer/src/index.js';
import resamplerPlugin from '../../../plugins/stage-resample-speex/src/index.js';
import vadPlugin from '../../../plugins/stage-vad-webrtc/src/index.js';
import { CallSession } from '../../src/call/call-session.js';
import { TurnMetrics } from '../../src/call/turn-metrics.js';
import { CollectionRegistry } from '../../src/container/collection-registry.js';
import { resolveAssistantSettings } from '../../src/conversation/assistant-settings.js';
import { AssistantToolRunner } from '../../src/conversation/tool-runner.js';
import { PromMetrics } from '../../src/metrics/prom-metrics.js';
import { webhookReceiver } from '../conversation/webhook-receiver.js';
import { FakeLeg } from './fake-leg.js';

const SECRET = 'sss';
const vads = (await setupPlugin(vadPlugin)).registry(stageRefs.vads);
const resamplers = (await setupPlugin(resamplerPlugin)).registry(stageRefs.resamplers);

function registry<T>(entries: Record<string, T>): CollectionRegistry<T> {
  const r = new CollectionRegistry<T>();
  for (const [k, v] of Object.entries(entries)) r.add(k, v, 'test');
  return r;
}

interface Scenario {
  /** Assistant configs by id; 'front' takes the call. `url` is the signed receiver's. */
  assistants(url: string): Record<string, Record<string, unknown>>;
  reply(request: LlmRequest): FakeLlmReply;
  respond(res: ServerResponse, body: Record<string, unknown>): void;
}

/** A session for assistant 'front' whose caller says one line, with server events to a receiver. */
async function run(t: Test, scenario: Scenario, until: (events: Array<{ type: string; payload: Record<string, unknown> }>) => boolean) {
  const clock = new VirtualClock();
  const pacers = (await setupPlugin(pacerPlugin, { deps: { 'core.clock': clock } })).registry(stageRefs.pacers);
  const hook = await webhookReceiver(t, { secret: SECRET, clock, respond: (_n, res, request) => scenario.respond(res, request.json) });
  const base = {
    stt: { provider: 'fake' },
    llm: { provider: 'fake' },
    tts: { provider: 'fake' },
    vad: { provider: 'webrtc', minSpeechMs: 100, minSilenceMs: 200 },
    firstMessageMode: 'caller-first',
    server: { url: hook.url, secret: SECRET },
  };
  const configs = scenario.assistants(hook.url);
  const events: Array<{ type: string; payload: Record<string, unknown> }> = [];
  const controller = new AbortController();
  const call = {
    id: 'call-1',
    record: { assistantId: 'front' },
    log: captureLogger([]),
    signal: controller.signal,
    ended: false,
    onEnd: () => {},
    answered: async () => {},
    event: async (type: string, payload: Record<string, unknown>) => void events.push({ type, payload }),
    end: async () => controller.abort(),
  } as unknown as CallScope;
  const leg = new FakeLeg(clock);
  const session = await CallSession.start({
    leg,
    call,
    clock,
    settings: async (id) => resolveAssistantSettings({ ...base, ...configs[id ?? 'front'] }),
    providers: {
      stt: registry({ fake: new FakeSttProvider({ name: 'fake', clock, script: ['my invoice is wrong'] }) }),
      llm: registry({ fake: new FakeLlmProvider({ name: 'fake', clock, script: scenario.reply }) }),
      tts: registry({ fake: new FakeTtsProvider({ name: 'fake', clock, sampleRates: [8000] }) }),
    },
    stages: { vads, resamplers, pacers },
    metrics: new TurnMetrics(new PromMetrics({ defaultMetrics: false })),
    tools: new AssistantToolRunner({ callId: 'call-1', clock, onError: (e) => t.fail(e.message) }),
  });
  const speaking = leg.say(600).then(() => leg.silence(600));
  await clock.advance(1220);
  await speaking;
  // The webhooks answer in real time: let both clocks run until the scenario is done.
  for (let i = 0; i < 100 && !until(events); i++) {
    await new Promise((r) => setTimeout(r, 5));
    await clock.advance(50);
  }
  return { clock, leg, session, events, received: hook.received };
}

t.test('a handoff passes the call to another assistant; its events are sent as that assistant', async (t) => {
  const { clock, session, events, received } = await run(
    t,
    {
      assistants: () => ({
        front: { systemPrompt: 'You are front.', tools: [{ type: 'handoff', assistants: [{ assistantId: 'billing', description: 'billing' }] }] },
        billing: { systemPrompt: 'You are billing.', tools: [{ type: 'endCall' }] },
      }),
      reply: (request) => {
        const system = request.messages[0]!.content;
        if (system.includes('front')) return { toolCalls: [{ name: 'handoff', arguments: { assistantId: 'billing', summary: 'invoice 17' } }] };
        t.match(system, /taking over .*invoice 17/, 'the next assistant gets the summary');
        t.same(request.tools?.map((x) => x.name), ['endCall'], 'and its own tools');
        return 'Billing here.';
      },
      respond: (res) => res.end(),
    },
    (events) => events.some((e) => e.type === 'transcript' && e.payload.text === 'Billing here.'),
  );
  t.match(events.filter((e) => e.type === 'handoff'), [{ payload: { from: 'front', to: 'billing', summary: 'invoice 17' } }]);
  const ending = session.end('test-end');
  for (let i = 0; i < 200 && !received.some((r) => r.json.type === 'end-of-call-report'); i++) {
    await new Promise((r) => setTimeout(r, 5));
    await clock.advance(10);
  }
  await ending;
  t.ok(received.every((r) => r.signature.ok), 'every event signed');
  t.same(received.map((r) => `${r.json.type}:${r.json.call.assistantId}`), [
    'status-update:front',
    'transcript:front',
    'tool-calls:front',
    'transcript:billing',
    'status-update:billing',
    'end-of-call-report:billing',
  ]);
});

t.test('a webhook tool: its waiting line is spoken while the webhook runs, then its result', async (t) => {
  const { leg, session, events, received } = await run(
    t,
    {
      assistants: (url) => ({
        front: { systemPrompt: 'You are front.', tools: [{ type: 'function', name: 'lookup', description: 'd', speakWhileWaiting: 'One moment please.', webhook: { url, timeoutMs: 5000 } }] },
      }),
      reply: (request) => {
        const last = request.messages.at(-1)!;
        return last.role === 'tool' ? `Done: ${last.content}` : { toolCalls: [{ name: 'lookup', arguments: {} }] };
      },
      respond: (res, body) => (body.toolCall ? setTimeout(() => res.end('{"result":"found it"}'), 30) : res.end()),
    },
    (events) => events.some((e) => e.type === 'transcript' && e.payload.text === 'Done: found it'),
  );
  t.same(events.filter((e) => e.type === 'transcript').map((e) => e.payload.text), ['my invoice is wrong', 'One moment please.', 'Done: found it']);
  t.ok(received.some((r) => r.json.type === 'tool-calls' && r.json.toolCall?.name === 'lookup' && r.signature.ok), 'the tool webhook got a signed call');
  t.ok(leg.botAudioAfter(0) > 0);
  await session.end('test-end');
});
