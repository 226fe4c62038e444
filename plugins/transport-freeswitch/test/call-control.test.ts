import t from 'tap';
import WebSocket from 'ws';
import { ended, heardRms, speech, startWithFreeswitch, until } from './helpers.js';

const LONG = 'This is a long welcome message that goes on for a while, so that the caller has time to interrupt it. '.repeat(3);

t.test('barge-in: caller speech sends uuid_break and the far end stops hearing the bot', async (t) => {
  const { fs, store } = await startWithFreeswitch(t, {}, { assistant: { firstMessage: LONG } });
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'park' } });
  await call.waitFor((c) => c.audioStream?.connected === true, 5000, 'the audio stream');
  await until(() => heardRms(call, 0, 60_000) > 1000, 'the bot to be heard');
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.equal(call.breaks, 0, 'no break while nobody speaks');
  call.say(speech(800));
  await call.waitFor((c) => c.breaks > 0, 5000, 'uuid_break');
  const cutAt = call.farEnd().length / 8; // ms since answer
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.ok(heardRms(call, cutAt - 300, cutAt - 100) > 1000, 'the bot was speaking just before the break');
  t.ok(heardRms(call, cutAt + 60, cutAt + 500) < 50, `silent after the break (rms ${heardRms(call, cutAt + 60, cutAt + 500).toFixed(1)})`);
  call.hangup();
  const record = await ended(store, call.uuid);
  t.equal(record.endReason, 'caller-hangup');
  const events = await store.callEvents.list(call.uuid);
  t.ok(events.some((e) => e.type === 'interruption' || e.type === 'barge-in' || JSON.stringify(e.payload).includes('interrupt')), 'the interruption is in the record');
});

t.test('DTMF in drives an IVR menu that transfers; DTMF out reaches the channel', async (t) => {
  const { fs, store, transport } = await startWithFreeswitch(t, {}, {
    assistant: { firstMessage: '按1转人工。', dtmf: { mode: 'menu', menu: { options: [{ digits: '1', action: { type: 'transfer', destination: '4008001234' } }], invalid: '无效按键。' } } },
  });
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'park' } });
  await call.waitFor((c) => c.audioStream?.connected === true, 5000, 'the audio stream');
  await transport.leg(call.uuid)!.sendDtmf('*9');
  t.equal(call.dtmfSent, '*9', 'uuid_send_dtmf');
  await call.pressDigits('1');
  await call.waitFor((c) => c.transfers.length > 0, 5000, 'the transfer');
  t.match(call.transfers[0], /4008001234/);
  const record = await ended(store, call.uuid);
  t.equal(record.endReason, 'transferred');
  t.not(call.state, 'hungup', 'the transferred channel lives on: we did not kill it');
  const events = await store.callEvents.list(call.uuid);
  t.ok(events.some((e) => e.type === 'dtmf' && (e.payload as { digit?: string }).digit === '1'), 'the digit is recorded');
});

t.test('the engine hangs up: uuid_kill with a Q.850 cause; unrouted calls are recorded and refused', async (t) => {
  const { fs, store } = await startWithFreeswitch(t, {}, { assistant: { firstMessage: 'Goodbye.', turn: { endCallPhrases: ['Goodbye.'] } } });
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'park' } });
  await call.waitForState('hungup', 10_000);
  t.equal(call.hangupCause, 'NORMAL_CLEARING');
  t.ok(heardRms(call, 0, 60_000) > 1000, 'the goodbye was played before the hangup');
  t.equal((await ended(store, call.uuid)).endReason, 'assistant-ended-call');

  const stray = fs.placeCall({ from: '13800138000', to: '99999', dialplan: { type: 'park' } });
  await stray.waitForState('hungup', 5000);
  t.equal(stray.hangupCause, 'UNALLOCATED_NUMBER');
  t.equal((await ended(store, stray.uuid)).endReason, 'assistant-not-found');
});

t.test('a mod_audio_stream socket for a call we do not know is closed with 4404', async (t) => {
  const { kernel } = await startWithFreeswitch(t);
  const socket = new WebSocket(`${kernel.url.replace(/^http/, 'ws')}/freeswitch/audio/not-a-call`);
  const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
  t.equal(code, 4404);
});
