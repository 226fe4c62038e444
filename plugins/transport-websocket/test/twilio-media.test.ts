/** The Twilio Media Streams compatible endpoint, driven the way Twilio drives it (protocols.md §8). */
import t from 'tap';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import { stageRefs, zeroCrossingFrequency } from '@vapi-cn/sdk-plugin-api';
import g711Plugin from '../../codec-g711/src/index.js';
import { Client, speak, startServer, waitForEnd } from './helpers.js';

const pcmu = (await setupPlugin(g711Plugin)).registry(stageRefs.codecs).get('pcmu')!;

t.test('connected, start, media every 20 ms, stop: the assistant answers in µ-law media messages', async (t) => {
  const { wsUrl, store } = await startServer(t);
  const client = new Client(`${wsUrl}/v1/twilio/media`);
  await client.opened();
  const streamSid = 'MZ0123456789abcdef0123456789abcdef';
  client.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  client.send({
    event: 'start',
    sequenceNumber: '1',
    start: { streamSid, accountSid: 'AC1', callSid: 'CA1', tracks: ['inbound'], customParameters: { assistantId: 'demo', name: 'Li' }, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
    streamSid,
  });
  client.socket.send(Buffer.alloc(160)); // binary: ignored, as Twilio ignores it (31950)
  client.send({ event: 'dance', streamSid }); // unknown: ignored (31951)
  const encoder = pcmu.create({ sampleRate: 8000 });
  let seq = 2;
  await speak(8000, 600, 800, (frame) => {
    const payload = Buffer.from(encoder.encode(frame)).toString('base64');
    client.send({ event: 'media', sequenceNumber: String(seq++), media: { track: 'inbound', chunk: String(seq), timestamp: String(frame.timestamp), payload }, streamSid });
  });
  const media = await client.waitFor((m) => m.event === 'media');
  t.match(media, { event: 'media', streamSid, media: { payload: String } });
  for (let i = 0; i < 100 && client.messages.filter((m) => m.event === 'media').length < 20; i++) await new Promise((r) => setTimeout(r, 20));
  const payloads = client.messages.filter((m) => m.event === 'media').map((m) => Buffer.from((m.media as { payload: string }).payload, 'base64'));
  t.ok(payloads.length >= 20 && payloads.every((p) => p.length === 160), `${payloads.length} messages of 160 µ-law bytes (20 ms)`);
  const decoder = pcmu.create({ sampleRate: 8000 });
  const samples = new Int16Array(payloads.slice(2, 20).flatMap((p, i) => [...decoder.decode(p, i * 20).samples]));
  t.ok(Math.abs(zeroCrossingFrequency(samples, 8000) - 440) < 30, 'the bot tone');
  t.equal(client.binary.length, 0, 'JSON text frames only');

  client.send({ event: 'stop', sequenceNumber: String(seq), streamSid, stop: { accountSid: 'AC1', callSid: 'CA1' } });
  t.match(await client.closed, { code: 1000 });
  const calls = await store.calls.list({});
  const call = calls.find((c) => c.transport === 'twilio-media')!;
  t.match(await waitForEnd(store, call.id), { endReason: 'caller-hangup', assistantId: 'demo', metadata: { callSid: 'CA1', streamSid } });
  const events = await store.callEvents.list(call.id);
  t.match(events.filter((e) => e.type === 'transcript').map((e) => e.payload), [{ role: 'user', text: 'hello there' }, { role: 'assistant', text: 'Hello, how can I help?' }]);
  encoder.close();
  decoder.close();
});

t.test('the assistant from the URL; a start in another format is refused with close 4400', async (t) => {
  const { wsUrl, store } = await startServer(t);
  const client = new Client(`${wsUrl}/v1/twilio/media?assistant_id=demo`);
  await client.opened();
  client.send({ event: 'start', start: { streamSid: 'MZ1', mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } }, streamSid: 'MZ1' });
  for (let i = 0; i < 100 && (await store.calls.list({})).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.match(await store.calls.list({}), [{ assistantId: 'demo', transport: 'twilio-media' }]);
  client.socket.close();

  const other = new Client(`${wsUrl}/v1/twilio/media?assistant_id=demo`);
  await other.opened();
  other.send({ event: 'start', start: { streamSid: 'MZ2', mediaFormat: { encoding: 'audio/l16', sampleRate: 16000, channels: 1 } }, streamSid: 'MZ2' });
  t.match(await other.closed, { code: 4400 });
});
