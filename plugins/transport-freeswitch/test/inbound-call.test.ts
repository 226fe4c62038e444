import t from 'tap';
import { ended, heardRms, speech, startWithFreeswitch, until } from './helpers.js';

t.test('an inbound call end to end: answered, streamed, the bot heard, the caller heard, hung up with its record', async (t) => {
  const { fs, store, transport } = await startWithFreeswitch(t);
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo', vapi_var_customer: '张三' }, dialplan: { type: 'park' } });
  await call.waitForState('answered');
  await call.waitFor((c) => c.audioStream?.connected === true, 5000, 'the audio stream');
  t.match(call.audioStream!.url, new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/freeswitch/audio/${call.uuid}$`));
  t.equal(call.audioStream!.rate, 16000, 'mono 16k as configured by default');

  // The first message is played through files.
  await call.waitFor((c) => c.broadcasts.length > 0, 5000, 'the first bot audio');
  t.ok(call.broadcasts[0]!.endsWith('.r8'), 'raw 8 kHz files');
  await until(() => heardRms(call, 0, 60_000) > 1000, 'the caller to hear the bot');

  // The caller speaks; the fake STT hears "hello there" and the bot answers.
  const before = call.broadcasts.length;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  call.say(speech(800));
  await until(async () => (await store.callEvents.list(call.uuid)).some((e) => e.type === 'transcript' && JSON.stringify(e.payload).includes('hello there')), 'the caller transcript');
  await call.waitFor((c) => c.broadcasts.length > before, 8000, 'the bot reply');

  call.hangup('NORMAL_CLEARING');
  const record = await ended(store, call.uuid);
  t.match(record, { transport: 'freeswitch', direction: 'inbound', fromNumber: '13800138000', toNumber: '4001234567', assistantId: 'demo', endReason: 'caller-hangup' });
  t.equal(transport.activeLegs, 0, 'the leg is forgotten');
});
