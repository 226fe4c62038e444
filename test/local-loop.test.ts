/**
 * The whole loop with no API key, through the real server in real time: caller speech (eSpeak,
 * 16 kHz, as from a browser) → VAD → PocketSphinx → the scripted LLM → eSpeak → the caller; then "goodbye" makes the
 * assistant call its endCall tool and the call ends.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { audioFrame, coreRefs, providerRefs, stageRefs, transportRefs, FrameChunker, concatPcm } from '@vapi-cn/sdk-plugin-api';
import { Kernel, planBoot, resolveConfig } from '@vapi-cn/core';
import { captureLogs } from '../core/test/helpers.js';
import type { TestTransport } from '../core/test/fixtures/plugins/test-transport/index.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const plugin = (id: string) => ({ from: path.join(REPO, 'plugins', id) });
const grammar = '#JSGF V1.0;\ngrammar demo;\npublic <phrase> = what time is it | goodbye | hello;\n';

const config = resolveConfig(
  {
    server: { port: 0, drainTimeoutMs: 2000 },
    store: { dataDir: 'memory://' },
    auth: { enabled: false },
    plugins: {
      'stage-vad-webrtc': plugin('stage-vad-webrtc'),
      'stage-resample-speex': plugin('stage-resample-speex'),
      'stage-pacer': plugin('stage-pacer'),
      'tts-espeak': plugin('tts-espeak'),
      'stt-pocketsphinx': { ...plugin('stt-pocketsphinx'), options: { grammar } },
      'llm-scripted': plugin('llm-scripted'),
      'test-transport': { from: path.join(REPO, 'core/test/fixtures/plugins/test-transport') },
    },
  },
  REPO,
  '<test>',
  { env: {} },
);
const kernel = await Kernel.start(await planBoot(config), { logDestination: captureLogs().stream, defaultMetrics: false });
t.teardown(() => kernel.stop());

/**
 * What a caller says, as 16 kHz audio: eSpeak at 22.05 kHz through the server's own resampler.
 * (PocketSphinx's Debian model is wideband: it recognizes little of 8 kHz telephone audio.)
 */
async function callerSays(text: string): Promise<Int16Array> {
  const tts = kernel.container.collection(providerRefs.tts).get('espeak')!;
  const resampler = kernel.container.collection(stageRefs.resamplers).get('speex')!.create({ inputRate: 22050, outputRate: 16000 });
  const chunker = new FrameChunker(22050);
  const out: Int16Array[] = [];
  const take = (samples: Int16Array) => out.push(resampler.process(audioFrame(samples, 22050))!.samples.slice());
  for await (const frame of tts.synthesize(text, { sampleRate: 22050 })) chunker.push(frame.samples, take);
  chunker.flush(take);
  resampler.close();
  return concatPcm(out);
}

t.test('ask the time, hear the answer, say goodbye, the assistant hangs up', async (t) => {
  const store = kernel.resolve(coreRefs.store);
  await store.assistants.create({
    id: 'demo',
    name: 'Demo',
    config: { firstMessageMode: 'caller-first', stt: { provider: 'pocketsphinx' }, llm: { provider: 'scripted' }, tts: { provider: 'espeak' } },
  });
  const question = await callerSays('what time is it');
  const goodbye = await callerSays('goodbye');
  const transport = kernel.container.collection(transportRefs.transports).get('test') as TestTransport;
  const leg = await transport.announce({ assistantId: 'demo' }, 16000);
  const clock = kernel.resolve(coreRefs.clock);

  await leg.play(question);
  const asked = clock.monotonic();
  await leg.silence(3000);
  t.ok(leg.sent.filter((f) => f.at > asked && f.level > -40).length > 20, 'the answer was spoken to the caller');
  await leg.play(goodbye);
  await leg.silence(3000);

  const events = await store.callEvents.list(leg.id);
  const transcript = events.filter((e) => e.type === 'transcript').map((e) => e.payload as { role: string; text: string });
  t.match(transcript, [
    { role: 'user', text: 'what time is it' },
    { role: 'assistant', text: /^It's \d{1,2}:\d{2}/ },
    { role: 'user', text: 'goodbye' },
    { role: 'assistant', text: 'Goodbye, and thanks for calling!' },
  ]);
  t.match(events.find((e) => e.type === 'tool-call'), { payload: { name: 'endCall' } });
  t.match(await store.calls.get(leg.id), { status: 'ended', endReason: 'assistant-ended-call' });
  const report = events.find((e) => e.type === 'end-of-call-report')!.payload as { turns: Array<{ voiceToVoiceMs?: number }> };
  const v2v = report.turns.map((turn) => turn.voiceToVoiceMs).filter((ms) => ms !== undefined);
  t.equal(v2v.length, 2, 'both answers have a voice-to-voice latency');
  t.comment(`voice-to-voice with local providers: ${v2v.join(' ms, ')} ms`);
});
