/**
 * The Event Socket connection to FreeSWITCH drops in the middle of a call: the transport
 * reconnects with backoff, re-attaches to the call, and the conversation goes on (the call's
 * audio has its own socket, so the caller never noticed).
 */
import t from 'tap';
import { heardRms, logLines, speech, startWithFreeswitch, until, ended } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('a dropped Event Socket mid-call: reconnected, re-attached, the conversation goes on', async (t) => {
  const { fs, store, logs, transport } = await startWithFreeswitch(t);
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'park' } });
  await call.waitFor((c) => c.audioStream?.connected === true, 5000, 'the audio stream');
  await until(() => heardRms(call, 0, 60_000) > 1000, 'the welcome to be heard');
  await sleep(1500); // the welcome has been played out
  const connectionsBefore = fs.stats().eslConnectionsTotal;

  fs.dropEslConnections();
  await until(() => logLines(logs, /Event Socket reconnected/).length > 0, 'the reconnect and re-attach', 10_000);
  t.ok(fs.stats().eslConnectionsTotal > connectionsBefore, 'a new Event Socket connection');
  t.match(logLines(logs, /Event Socket connection lost/)[0], { node: 'fs1' }, 'the loss is logged');
  t.match(logLines(logs, /Event Socket reconnected/)[0], { node: 'fs1', kept: 1, adopted: 0 });
  t.equal(transport.activeLegs, 1, 'the call is still ours');
  t.equal(call.state, 'answered');

  // The caller speaks after the reconnect: heard, transcribed, answered, and the answer is heard.
  const broadcasts = call.broadcasts.length;
  const saidAtMs = call.farEnd().length / 8;
  call.say(speech(800));
  await until(async () => (await store.callEvents.list(call.uuid)).some((e) => e.type === 'transcript' && JSON.stringify(e.payload).includes('hello there')), 'the caller transcript');
  await call.waitFor((c) => c.broadcasts.length > broadcasts, 8000, 'the bot reply');
  await until(() => heardRms(call, saidAtMs + 800, 120_000) > 1000, 'the reply to be heard');

  // Events and commands both use the new connection: a keypress is recorded, DTMF goes out.
  await call.pressDigits('5');
  await until(async () => (await store.callEvents.list(call.uuid, { type: 'dtmf' })).some((e) => (e.payload as { digit?: string }).digit === '5'), 'the keypress in the record');
  await transport.leg(call.uuid)!.sendDtmf('7');
  t.equal(call.dtmfSent, '7');

  call.hangup('NORMAL_CLEARING');
  t.equal((await ended(store, call.uuid)).endReason, 'caller-hangup');
  t.equal(transport.activeLegs, 0);
});
