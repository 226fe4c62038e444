/** What a client can do wrong: each gets a clear error message or close code, and no call is left open. */
import t from 'tap';
import WebSocket from 'ws';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { Client, startServer, waitForEnd } from './helpers.js';

t.test('mistakes on an open connection get an error message and the connection stays usable', async (t) => {
  const { wsUrl } = await startServer(t);
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send('{not json');
  client.send('[1,2]');
  client.send({ type: 'dance' });
  client.socket.send(Buffer.alloc(640));
  client.send({ type: 'text', text: 'hello' });
  client.send({ type: 'start', assistant_id: 'demo', config: { sampleRate: 11025 } });
  client.send({ type: 'start', assistant_id: 'demo', config: { encoding: 'mp3' } });
  client.send({ type: 'start' });
  await client.waitFor((m) => /assistant_id/.test(String(m.message)));
  const errors = client.messages.filter((m) => m.type === 'error');
  t.match(errors, [
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /not JSON/, fix: String },
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /not a JSON object/ },
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /unknown message type "dance"/ },
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /audio before start/ },
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /text before start/ },
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /sampleRate 11025/, fix: /8000, 16000, 24000, 48000/ },
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /encoding "mp3"/ },
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /needs an assistant_id/ },
  ]);
  client.send({ type: 'ice_candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } });
  client.send({ type: 'start', assistant_id: 'demo', config: { sampleRate: 8000 } });
  t.match(await client.waitFor((m) => m.status === 'connected'), { sample_rate: 8000 }, 'a good start still works');
  t.match(client.messages.filter((m) => m.type === 'error').at(-1), { message: /ice_candidate on a call without WebRTC/ }, 'a candidate held for a call that turned out not to be WebRTC');
  client.socket.send(Buffer.alloc(3));
  t.match(await client.waitFor((m) => m.code === 'VAPI_ERR_WS_AUDIO'), { message: /odd/ });
  client.send({ type: 'start', assistant_id: 'demo' });
  await client.waitFor((m) => /already sent/.test(String(m.message)));
  client.socket.close();
});

t.test('an unknown assistant: an error, close 4000, and the call record ended', async (t) => {
  const { wsUrl, store } = await startServer(t);
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send({ type: 'start', assistant_id: 'nobody' });
  const connected = await client.waitFor((m) => m.status === 'connected');
  t.match(await client.waitFor((m) => m.type === 'error'), { code: 'VAPI_ERR_ASSISTANT_NOT_FOUND', message: /nobody/ });
  t.match(await client.closed, { code: 4000 });
  t.match(await waitForEnd(store, connected.call_id as string), { endReason: 'assistant-not-found' });
});

t.test('no start in time: close 4408 with an error', async (t) => {
  const { wsUrl } = await startServer(t, { startTimeoutMs: 300 });
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  t.match(await client.closed, { code: 4408 });
  t.match(client.messages, [{ type: 'error', code: 'VAPI_ERR_WS_START_TIMEOUT' }]);
});

t.test('an oversized message closes with 1009 and ends the call', async (t) => {
  const { wsUrl, store } = await startServer(t, { maxMessageBytes: 4096 });
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send({ type: 'start', assistant_id: 'demo' });
  const connected = await client.waitFor((m) => m.status === 'listening');
  t.ok(connected);
  const id = (client.messages.find((m) => m.status === 'connected')!.call_id) as string;
  client.socket.send(Buffer.alloc(8192));
  t.match(await client.closed, { code: 1009 });
  t.match(await waitForEnd(store, id), { endReason: 'client-closed' });
});

t.test('a client that vanishes without closing: its call is ended after a missed ping', async (t) => {
  const { wsUrl, store } = await startServer(t, { pingIntervalMs: 200 });
  // autoPong off: the client stops answering, as a dead peer behind a NAT would.
  const client = new Client(`${wsUrl}/v1/voice/ws`, { autoPong: false });
  await client.opened();
  client.send({ type: 'start', assistant_id: 'demo' });
  const connected = await client.waitFor((m) => m.status === 'connected');
  await client.waitFor((m) => m.status === 'listening');
  client.socket.pause(); // reads nothing more, sends nothing more
  t.match(await waitForEnd(store, connected.call_id as string), { endReason: 'client-vanished' });
  client.socket.terminate();
});

t.test('with auth on: no key is refused before the upgrade, a wrong key too, a good key works', async (t) => {
  const { wsUrl, kernel } = await startServer(t, {}, { auth: { enabled: true } });
  const store = kernel.resolve(coreRefs.store);
  const { key } = await store.apiKeys.create('test');
  for (const url of [`${wsUrl}/v1/voice/ws`, `${wsUrl}/v1/voice/ws?api_key=vk_wrong`]) {
    const refused = await new Promise<number>((resolve) => {
      const socket = new WebSocket(url);
      socket.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      socket.on('error', () => {});
    });
    t.equal(refused, 401, url.includes('api_key') ? 'wrong key: 401' : 'no key: 401');
  }
  for (const client of [new Client(`${wsUrl}/v1/voice/ws?api_key=${key}`), new Client(`${wsUrl}/v1/voice/ws`, { headers: { authorization: `Bearer ${key}` } })]) {
    await client.opened();
    client.send({ type: 'start', assistant_id: 'demo' });
    await client.waitFor((m) => m.status === 'connected');
    client.socket.close();
  }
});
