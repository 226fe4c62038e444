/** The voice WebSocket API end to end: a real server, the engine with fake providers, a ws client. */
import t from 'tap';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import { stageRefs, zeroCrossingFrequency } from '@vapi-cn/sdk-plugin-api';
import opusPlugin from '../../codec-opus/src/index.js';
import { Client, pcmBytes, speak, startServer, waitForEnd } from './helpers.js';

t.test('PCM at 16 kHz: speak, hear the transcript, the response and the bot audio, stop', async (t) => {
  const { wsUrl, store } = await startServer(t);
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send({ type: 'start', assistant_id: 'demo', config: { sampleRate: 16000, encoding: 'pcm' } });
  const connected = await client.waitFor((m) => m.status === 'connected');
  t.match(connected, { type: 'status', call_id: String, sample_rate: 16000, encoding: 'pcm' });
  await client.waitFor((m) => m.status === 'listening');
  await speak(16000, 600, 700, (frame) => client.socket.send(pcmBytes(frame.samples)));
  t.match(await client.waitFor((m) => m.type === 'transcript' && m.is_final === true), { role: 'user', text: 'hello there' });
  t.match(await client.waitFor((m) => m.type === 'response' && m.is_final === true), { text: 'Hello, how can I help?' });
  t.match(await client.waitFor((m) => m.type === 'latency'), { turn: { voiceToVoiceMs: Number } });
  t.ok(client.binary.length > 10, `${client.binary.length} bot audio frames`);
  t.ok(client.binary.every((b) => b.length === 640), '20 ms of PCM16 at 16 kHz each');
  const pcm = new Int16Array(Buffer.concat(client.binary.slice(2, 12)).buffer.slice(0));
  t.ok(Math.abs(zeroCrossingFrequency(pcm, 16000) - 440) < 30, "the fake TTS's 440 Hz tone");

  client.send({ type: 'stop' });
  t.match(await client.closed, { code: 1000 });
  t.match(client.messages.at(-1), { type: 'status', status: 'ended', reason: 'client-stop' });
  const callId = connected.call_id as string;
  const record = await waitForEnd(store, callId);
  t.match(record, { status: 'ended', endReason: 'client-stop', transport: 'websocket' });
});

t.test('Opus at 48 kHz both ways', async (t) => {
  const { wsUrl } = await startServer(t);
  const opus = (await setupPlugin(opusPlugin)).registry(stageRefs.codecs).get('opus')!;
  const encoder = opus.create({ sampleRate: 48000 });
  const decoder = opus.create({ sampleRate: 48000 });
  t.teardown(() => {
    encoder.close();
    decoder.close();
  });
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send({ type: 'start', assistant_id: 'demo', config: { sampleRate: 48000, encoding: 'opus' } });
  await client.waitFor((m) => m.status === 'listening');
  await speak(48000, 600, 700, (frame) => client.socket.send(Buffer.from(encoder.encode(frame))));
  t.match(await client.waitFor((m) => m.type === 'response' && m.is_final === true), { text: 'Hello, how can I help?' });
  t.ok(client.binary.length > 10, `${client.binary.length} Opus packets`);
  const decoded = client.binary.slice(0, 30).map((packet, i) => decoder.decode(packet, i * 20).samples.slice());
  const samples = new Int16Array(decoded.slice(10).flatMap((d) => [...d]));
  t.ok(Math.abs(zeroCrossingFrequency(samples, 48000) - 440) < 30, 'decodes to the bot tone');
  client.socket.close();
});

t.test('typed text is a caller turn', async (t) => {
  const { wsUrl } = await startServer(t);
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send({ type: 'start', assistant_id: 'demo' });
  await client.waitFor((m) => m.status === 'listening');
  client.send({ type: 'text', text: 'what are your hours?' });
  t.match(await client.waitFor((m) => m.type === 'response' && m.is_final === true), { text: 'Hello, how can I help?' });
  client.socket.close();
});
