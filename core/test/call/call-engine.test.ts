/**
 * The engine inside a real server: legs from a transport plugin become calls running their
 * assistant from the store; an operator's change to the assistant reaches every call in progress
 * at its next turn; a call for an unknown assistant is recorded and hung up.
 */
import t from 'tap';
import { coreRefs, transportRefs } from '@vapi-cn/sdk-plugin-api';
import { VirtualClock, type FakeTtsProvider } from '@vapi-cn/sdk-plugin-api/testkit';
import { providerRefs } from '@vapi-cn/sdk-plugin-api';
import { startKernel, testConfig } from '../helpers.js';
import type { TestTransport } from '../fixtures/plugins/test-transport/index.js';
import type { FakeLeg } from './fake-leg.js';

const stage = (id: string) => ({ from: `../../../plugins/${id}` });

t.test('three calls in flight switch TTS at their next turn after PUT /v1/assistants/:id', async (t) => {
  const clock = new VirtualClock();
  const { kernel } = await startKernel(
    t,
    testConfig({
      plugins: {
        'stage-vad-webrtc': stage('stage-vad-webrtc'),
        'stage-resample-speex': stage('stage-resample-speex'),
        'stage-pacer': stage('stage-pacer'),
        'fake-providers': {},
        'test-transport': {},
      },
    }),
    {},
    { clock },
  );
  const store = kernel.resolve(coreRefs.store);
  await store.assistants.create({
    id: 'sales',
    name: 'Sales',
    config: { stt: { provider: 'fake' }, llm: { provider: 'fake' }, tts: { provider: 'fake' }, firstMessage: 'Welcome to {{shop}}.', variables: { shop: 'the shop' }, vad: { minSpeechMs: 100, minSilenceMs: 200 } },
  });
  const transport = kernel.container.collection(transportRefs.transports).get('test') as TestTransport;
  const tts = kernel.container.collection(providerRefs.tts);
  const fake2 = tts.get('fake2') as FakeTtsProvider;

  const legs: FakeLeg[] = [];
  for (let i = 0; i < 3; i++) legs.push(await transport.announce({ assistantId: 'sales', fromNumber: `1380013800${i}`, toNumber: '4001234567' }));
  await clock.advance(1500);
  for (const leg of legs) t.ok(leg.botAudioAfter(0) > 0, `${leg.id} heard the greeting`);
  t.equal(kernel.calls.active().length, 3);
  t.equal(fake2.stats.calls, 0);

  const response = await fetch(`${kernel.url}/v1/assistants/sales`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ config: { stt: { provider: 'fake' }, llm: { provider: 'fake' }, tts: { provider: 'fake2' }, vad: { minSpeechMs: 100, minSilenceMs: 200 } } }),
  });
  t.equal(response.status, 200);

  const talking = legs.map((leg) => leg.say(500).then(() => leg.silence(600)));
  await clock.advance(2500);
  await Promise.all(talking);
  t.ok(fake2.stats.calls >= 3, `every call's next turn used the new TTS (${fake2.stats.calls} syntheses)`);
  for (const leg of legs) t.ok(leg.botAudioAfter(1500) > 0, `${leg.id} heard the reply`);

  const record = await store.calls.get(legs[0]!.id);
  t.match(record, { assistantId: 'sales', status: 'in-progress', fromNumber: '13800138000', transport: 'test' });
  const events = await store.callEvents.list(legs[0]!.id);
  t.match(events.filter((e) => e.type === 'transcript').map((e) => e.payload), [
    { role: 'assistant', text: 'Welcome to the shop.' },
    { role: 'user', text: 'hello there' },
    { role: 'assistant', text: 'Hello, how can I help?' },
  ]);

  const metrics = await (await fetch(`${kernel.url}/metrics`)).text();
  t.match(metrics, /vapi_turn_voice_to_voice_seconds_count [1-9]/, 'per-turn latency histograms on /metrics');
  t.match(metrics, /vapi_turn_tts_first_audio_seconds_count [1-9]/);

  legs[1]!.emitHangup('NORMAL_CLEARING');
  await clock.advance(100);
  t.match(await store.calls.get(legs[1]!.id), { status: 'ended', endReason: 'caller-hangup' });
  const report = (await store.callEvents.list(legs[1]!.id)).find((e) => e.type === 'end-of-call-report');
  t.match(report, { payload: { reason: 'caller-hangup', turns: [{ turn: 1 }] } });
});

t.test('a call for an unknown assistant is recorded and hung up', async (t) => {
  const clock = new VirtualClock();
  const { kernel } = await startKernel(t, testConfig({ plugins: { 'fake-providers': {}, 'test-transport': {} } }), {}, { clock });
  const transport = kernel.container.collection(transportRefs.transports).get('test') as TestTransport;
  const leg = await transport.announce({ assistantId: 'nobody' });
  t.equal(leg.hungUp, 'assistant-not-found');
  const store = kernel.resolve(coreRefs.store);
  t.match(await store.calls.get(leg.id), { status: 'ended', endReason: 'assistant-not-found' });
  t.match(await store.callEvents.list(leg.id), [{ type: 'error', payload: { code: 'VAPI_ERR_ASSISTANT_NOT_FOUND' } }]);

  const unrouted = await transport.announce({});
  t.equal(unrouted.hungUp, 'assistant-not-found');
  t.match(await store.calls.get(unrouted.id), { status: 'ended', endReason: 'assistant-not-found' });
  t.match(await store.callEvents.list(unrouted.id), [{ type: 'error', payload: { code: 'VAPI_ERR_ASSISTANT_NOT_FOUND', message: /routed a call to no assistant/ } }]);
});
