/**
 * Bytes on the Event Socket that are not what FreeSWITCH sends: garbage lines, a truncated event,
 * events about channels we do not know, a Content-Length larger than what follows, a connection
 * that ends inside a frame. The process never crashes, every case is logged, the stream is
 * resynchronised or reset and reconnected, and the call in progress goes on.
 */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { ended, heardRms, logLines, speech, startWithFreeswitch, until } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An event frame as FreeSWITCH writes it (`event json`). */
function jsonEvent(headers: Record<string, string>): string {
  const body = JSON.stringify(headers);
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`;
}

t.test('bad bytes on the Event Socket during a call', async (t) => {
  const { fs, store, logs, transport } = await startWithFreeswitch(t);
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'park' } });
  await call.waitFor((c) => c.audioStream?.connected === true, 5000, 'the audio stream');
  await until(() => heardRms(call, 0, 60_000) > 1000, 'the welcome to be heard');
  const connections = fs.stats().eslConnectionsTotal;
  const dropped = () => logLines(logs, /ESL: dropped an invalid frame/);

  // Garbage lines: one delimited frame of nonsense, dropped; the stream reads on.
  fs.injectRaw('this is not an event socket frame\n%%% neither is this\n\n');
  await until(() => dropped().length >= 1, 'the garbage to be dropped');
  t.match(dropped()[0], { code: 'VAPI_ERR_ESL_PROTOCOL', preview: /this is not/ });

  // A truncated event naming our call: unreadable, so dropped, and the call is not hung up by it.
  const cut = JSON.stringify({ 'Event-Name': 'CHANNEL_HANGUP', 'Unique-ID': call.uuid, 'Hangup-Cause': 'NORMAL_CLEARING' }).slice(0, 60);
  fs.injectRaw(`Content-Length: ${Buffer.byteLength(cut)}\nContent-Type: text/event-json\n\n${cut}`);
  await until(() => dropped().length >= 2, 'the truncated event to be dropped');
  t.match(dropped()[1], { reason: /not JSON/ });

  // Well-formed events about a channel nobody knows: ignored.
  const stranger = randomUUID();
  fs.injectRaw(jsonEvent({ 'Event-Name': 'DTMF', 'Unique-ID': stranger, 'DTMF-Digit': '5' }));
  fs.injectRaw(jsonEvent({ 'Event-Name': 'CHANNEL_HANGUP', 'Unique-ID': stranger, 'Hangup-Cause': 'NORMAL_CLEARING' }));
  fs.injectRaw(jsonEvent({ 'Event-Name': 'CHANNEL_ANSWER', 'Unique-ID': stranger }));
  await sleep(300);
  t.equal(await store.calls.get(stranger), undefined, 'no record for a channel we do not know');
  t.equal(transport.activeLegs, 1);
  t.equal(fs.stats().eslConnectionsTotal, connections, 'so far the stream resynchronised without a reset');
  t.equal(call.state, 'answered');

  // A Content-Length larger than what follows: the frame never completes; the connection is reset.
  fs.injectRaw('Content-Length: 100000\nContent-Type: text/event-json\n\n{"Event-Name":"CHANNEL_ANSWER"');
  await until(() => logLines(logs, /ESL stream out of sync: resetting the connection/).length >= 1, 'the reset', 10_000);
  t.match(logLines(logs, /ESL stream out of sync/)[0], { code: 'VAPI_ERR_ESL_PROTOCOL', reason: /incomplete for \d+ ms/ });
  await until(() => logLines(logs, /Event Socket reconnected/).length >= 1, 'the reconnect', 10_000);
  t.match(logLines(logs, /Event Socket reconnected/)[0], { kept: 1 });

  // The connection ends inside a frame: said so, and reconnected again.
  fs.injectRaw('Content-Length: 500\nContent-Type: text/event-json\n\n{"Event-Name":"DTMF"');
  await sleep(100);
  fs.dropEslConnections();
  await until(() => logLines(logs, /Event Socket reconnected/).length >= 2, 'the second reconnect', 10_000);
  t.ok(logs.lines.some((line) => typeof line.msg === 'string' && /ended inside a frame/.test(line.msg)), 'the truncated frame is logged');

  // Through all of it the call went on: the caller speaks, the bot answers, the caller hears it.
  t.equal(call.state, 'answered');
  const broadcasts = call.broadcasts.length;
  const saidAtMs = call.farEnd().length / 8;
  call.say(speech(800));
  await until(async () => (await store.callEvents.list(call.uuid)).some((e) => e.type === 'transcript' && JSON.stringify(e.payload).includes('hello there')), 'the caller transcript');
  await call.waitFor((c) => c.broadcasts.length > broadcasts, 8000, 'the bot reply');
  await until(() => heardRms(call, saidAtMs + 800, 120_000) > 1000, 'the reply to be heard');
  call.hangup();
  t.equal((await ended(store, call.uuid)).endReason, 'caller-hangup');
});
