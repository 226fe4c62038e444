/**
 * Outbound-socket mode: the dialplan's `socket 127.0.0.1:<port> async full` hands each call to
 * our listener. The call is answered, streamed and heard end to end over its own socket; a
 * socket without `full` cannot be controlled and is refused with a clear log line.
 */
import t from 'tap';
import { ended, heardRms, logLines, speech, startWithFreeswitch, until } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OUTBOUND = { mode: 'outbound', outboundListen: { host: '127.0.0.1', port: 0 } };

t.test('a call from `socket … async full`: answered, streamed, heard end to end', async (t) => {
  const { fs, store, transport } = await startWithFreeswitch(t, OUTBOUND);
  const port = transport.outboundPort!;
  t.ok(port > 0, 'an ephemeral port');
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'socket', address: `127.0.0.1:${port}`, async: true, full: true } });
  await call.waitForState('answered');
  await call.waitFor((c) => c.audioStream?.connected === true, 5000, 'the audio stream');
  await until(() => heardRms(call, 0, 60_000) > 1000, 'the welcome to be heard');
  t.equal(fs.stats().outboundConnectionsTotal, 1, 'FreeSWITCH connected to us once');

  await sleep(1500);
  const broadcasts = call.broadcasts.length;
  const saidAtMs = call.farEnd().length / 8;
  call.say(speech(800));
  await until(async () => (await store.callEvents.list(call.uuid)).some((e) => e.type === 'transcript' && JSON.stringify(e.payload).includes('hello there')), 'the caller transcript');
  await call.waitFor((c) => c.broadcasts.length > broadcasts, 8000, 'the bot reply');
  await until(() => heardRms(call, saidAtMs + 800, 120_000) > 1000, 'the reply to be heard');
  await call.pressDigits('3');
  await until(async () => (await store.callEvents.list(call.uuid, { type: 'dtmf' })).length > 0, 'the keypress, from the socket\'s own events');

  call.hangup();
  const record = await ended(store, call.uuid);
  t.match(record, { transport: 'freeswitch', direction: 'inbound', assistantId: 'demo', endReason: 'caller-hangup', metadata: { freeswitchNode: 'outbound-socket' } });
  t.equal(transport.activeLegs, 0);
  t.equal((await store.calls.list({})).length, 1, 'one record: the node connection did not take the parked channel too');
});

t.test('a `socket` without `full` is refused with a clear log line; nothing crashes', async (t) => {
  const { fs, store, logs, transport } = await startWithFreeswitch(t, OUTBOUND);
  const port = transport.outboundPort!;
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'socket', address: `127.0.0.1:${port}`, async: true, full: false } });
  await until(() => logLines(logs, /outbound ESL connection dropped/).length > 0, 'the refusal');
  t.match(logLines(logs, /outbound ESL connection dropped/)[0], { code: 'VAPI_ERR_ESL_NOT_FULL', fix: /async full/ });
  await sleep(1000);
  t.not(call.state, 'answered', 'the call was not taken');
  t.equal(transport.activeLegs, 0);
  t.same(await store.calls.list({}), [], 'no call was opened for it');

  // The listener still works for a well-configured call.
  const good = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'socket', address: `127.0.0.1:${port}` } });
  await good.waitFor((c) => c.audioStream?.connected === true, 5000, 'the audio stream');
  good.hangup();
  t.equal((await ended(store, good.uuid)).endReason, 'caller-hangup');
});
