/**
 * VapiClient from the served bundle, run in Node: a text-only call against the real server (the
 * `ws` package as its WebSocket), and reconnects against a scripted socket.
 */
import t from 'tap';
import WebSocket from 'ws';
import { loadSdk, nextEvent, startConsoleServer, type SdkClient, type SdkModule } from './helpers.js';

const server = await startConsoleServer(t);
const sdk: SdkModule = await loadSdk(t, server.url);

function recordEvents(client: SdkClient, names: string[]): Array<[string, any]> {
  const seen: Array<[string, any]> = [];
  for (const name of names) client.on(name, (payload) => seen.push([name, payload]));
  return seen;
}

t.test('a text-only call: typed turn, response, latency, stop', async (t) => {
  const client = new sdk.VapiClient({ apiKey: server.key, baseUrl: server.url, WebSocket });
  const events = recordEvents(client, ['status', 'connected', 'response', 'latency', 'disconnected', 'error']);
  const connected = nextEvent(client, 'connected');
  await client.start('demo', { audio: false });
  const { callId, transport } = await connected;
  t.equal(transport, 'websocket', 'without audio the call goes over the socket');
  t.ok(callId, `call ${callId}`);
  t.equal(client.callId, callId);
  t.ok(client.active);

  const response = nextEvent<{ text: string; isFinal: boolean }>(client, 'response', (r) => r.isFinal);
  const latency = nextEvent(client, 'latency');
  client.sendMessage('hi');
  t.equal((await response).text, 'Hello, how can I help?', 'the bot answers');
  t.type((await latency).turn, 'number', 'a latency event after the turn');

  const disconnected = nextEvent(client, 'disconnected');
  await client.stop();
  t.same(await disconnected, { reason: 'stopped' });
  t.equal(client.status, 'disconnected');
  t.notOk(client.active);
  t.same(events.filter(([n]) => n === 'error'), [], 'no errors');
  const record = (await server.store.calls.get(callId)) as { status: string; endReason: string } | undefined;
  for (let i = 0; i < 100 && record?.status !== 'ended'; i++) {
    await new Promise((r) => setTimeout(r, 20));
    Object.assign(record ?? {}, await server.store.calls.get(callId));
  }
  t.equal(record?.status, 'ended', 'the server ended the call');
  t.throws(() => client.sendMessage('again'), { code: 'VAPI_ERR_SDK_STATE' }, 'no sending after stop');
});

t.test('a bad key: start rejects with the server\'s auth error', async (t) => {
  const client = new sdk.VapiClient({ apiKey: 'not-a-key', baseUrl: server.url, WebSocket });
  const error = nextEvent(client, 'error');
  await t.rejects(client.start('demo', { audio: false }), { code: 'VAPI_ERR_AUTH_INVALID_KEY' });
  t.equal((await error).code, 'VAPI_ERR_AUTH_INVALID_KEY', 'and emits it');
  t.equal(client.status, 'disconnected');
  t.notOk(client.active);
});

t.test('an unknown assistant: the server says why and the call ends', async (t) => {
  const client = new sdk.VapiClient({ apiKey: server.key, baseUrl: server.url, WebSocket });
  const error = nextEvent(client, 'error');
  const disconnected = nextEvent(client, 'disconnected');
  await client.start('nobody', { audio: false }).catch(() => undefined);
  t.match((await error).code, /^VAPI_ERR_ASSISTANT/);
  t.ok((await disconnected).reason, 'disconnected');
  t.notOk(client.active);
});

/** A WebSocket the test drives: open it, feed it messages, drop it. */
class ScriptedSocket {
  static all: ScriptedSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  bufferedAmount = 0;
  readonly sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    ScriptedSocket.all.push(this);
  }
  send(data: unknown): void {
    this.sent.push(typeof data === 'string' ? JSON.parse(data) : data);
  }
  close(code = 1000): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code }));
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

async function nextSocket(count: number): Promise<ScriptedSocket> {
  for (let i = 0; i < 300 && ScriptedSocket.all.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  const socket = ScriptedSocket.all[count - 1];
  if (!socket) throw new Error(`socket ${count} was never opened`);
  return socket;
}

t.test('an unexpected drop reconnects with backoff; an ended call does not', async (t) => {
  ScriptedSocket.all = [];
  const client = new sdk.VapiClient({
    apiKey: 'key with space',
    baseUrl: 'http://127.0.0.1:9/',
    WebSocket: ScriptedSocket,
    reconnect: { initialDelayMs: 20, maxDelayMs: 40, jitter: 0, maxAttempts: 3 },
  });
  const events = recordEvents(client, ['status', 'connected', 'disconnected', 'error']);
  const started = client.start('demo', { audio: false, variables: { name: 'Li' } });
  const first = await nextSocket(1);
  t.equal(first.url, 'ws://127.0.0.1:9/v1/voice/ws?api_key=key+with+space', 'ws URL from baseUrl, key in the query');
  first.open();
  t.same(first.sent[0], { type: 'start', assistant_id: 'demo', variables: { name: 'Li' }, config: { sampleRate: 16000, encoding: 'pcm' } });
  first.receive({ type: 'status', status: 'connected', call_id: 'call-1', sample_rate: 16000, encoding: 'pcm' });
  await started;
  t.equal(client.callId, 'call-1');

  first.drop(1006);
  const second = await nextSocket(2);
  second.open();
  const reconnected = nextEvent(client, 'connected');
  second.receive({ type: 'status', status: 'connected', call_id: 'call-2' });
  await reconnected;
  t.equal(client.callId, 'call-2', 'a new call after the reconnect');
  t.same(second.sent[0], first.sent[0], 'same assistant and variables');

  const disconnected = nextEvent(client, 'disconnected');
  second.receive({ type: 'status', status: 'ended', reason: 'assistant-ended-call' });
  second.drop(4000);
  await disconnected;
  await new Promise((r) => setTimeout(r, 100));
  t.equal(ScriptedSocket.all.length, 2, 'no reconnect after the call ended');
  t.same(
    events.map(([name, e]) => (name === 'status' ? `status:${e.status}${e.attempt ? `#${e.attempt}/${e.delayMs}` : ''}` : name === 'connected' ? `connected:${e.callId}` : `${name}:${e.reason ?? e.code}`)),
    ['status:connecting', 'status:connected', 'connected:call-1', 'status:reconnecting#1/20', 'status:connected', 'connected:call-2', 'status:ended', 'status:disconnected', 'disconnected:assistant-ended-call'],
  );
});

t.test('the server losing the WebRTC media (close 4001) reconnects too', async (t) => {
  ScriptedSocket.all = [];
  const client = new sdk.VapiClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', WebSocket: ScriptedSocket, reconnect: { initialDelayMs: 10, jitter: 0 } });
  const events = recordEvents(client, ['status', 'connected', 'disconnected', 'error']);
  const started = client.start('demo', { audio: false });
  const first = await nextSocket(1);
  first.open();
  first.receive({ type: 'status', status: 'connected', call_id: 'c1' });
  await started;
  // What transport-websocket sends when its peer hears nothing: error, status ended, close 4001.
  first.receive({ type: 'error', code: 'VAPI_ERR_WEBRTC_MEDIA_TIMEOUT', message: 'no media (RTP or RTCP) from the client for 15000 ms' });
  first.receive({ type: 'status', status: 'ended', reason: 'media-timeout' });
  first.drop(4001);
  const second = await nextSocket(2);
  second.open();
  const reconnected = nextEvent(client, 'connected');
  second.receive({ type: 'status', status: 'connected', call_id: 'c2' });
  await reconnected;
  t.equal(client.callId, 'c2', 'a new call');
  t.notOk(events.some(([name]) => name === 'disconnected'), 'no disconnected: the session goes on');
  t.same(
    events.map(([name, e]) => (name === 'status' ? `status:${e.status}${e.reason ? `:${e.reason}` : ''}` : `${name}:${e.callId ?? e.code}`)),
    ['status:connecting', 'status:connected', 'connected:c1', 'error:VAPI_ERR_WEBRTC_MEDIA_TIMEOUT', 'status:ended:media-timeout', 'status:reconnecting', 'status:connected', 'connected:c2'],
  );
  await client.stop();
});

t.test('reconnecting gives up after maxAttempts; stop() during a wait stops it', async (t) => {
  ScriptedSocket.all = [];
  const client = new sdk.VapiClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', WebSocket: ScriptedSocket, reconnect: { initialDelayMs: 10, maxDelayMs: 20, jitter: 0, maxAttempts: 2 } });
  const started = client.start('demo', { audio: false });
  const first = await nextSocket(1);
  first.open();
  first.receive({ type: 'status', status: 'connected', call_id: 'c1' });
  await started;
  const error = nextEvent(client, 'error');
  const disconnected = nextEvent(client, 'disconnected');
  first.drop(1011);
  (await nextSocket(2)).drop(1006);
  (await nextSocket(3)).drop(1006);
  t.equal((await error).code, 'VAPI_ERR_SDK_RECONNECT');
  t.same(await disconnected, { reason: 'connection-lost' });
  t.equal(ScriptedSocket.all.length, 3, 'two attempts');

  ScriptedSocket.all = [];
  const patient = new sdk.VapiClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', WebSocket: ScriptedSocket, reconnect: { initialDelayMs: 5000 } });
  const again = patient.start('demo', { audio: false });
  const socket = await nextSocket(1);
  socket.open();
  socket.receive({ type: 'status', status: 'connected', call_id: 'c1' });
  await again;
  const reconnecting = nextEvent(patient, 'status', (e: { status: string }) => e.status === 'reconnecting');
  socket.drop(1006);
  await reconnecting;
  const began = Date.now();
  await patient.stop();
  t.ok(Date.now() - began < 1000, 'stop() does not wait for the backoff');
  t.equal(patient.status, 'disconnected');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(ScriptedSocket.all.length, 1, 'and no attempt follows');
});

t.test('stop() sends stop and waits for the server to close', async (t) => {
  ScriptedSocket.all = [];
  const client = new sdk.VapiClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', WebSocket: ScriptedSocket });
  const started = client.start('demo', { audio: false });
  const socket = await nextSocket(1);
  socket.open();
  socket.receive({ type: 'status', status: 'connected', call_id: 'c1' });
  await started;
  const calls: unknown[] = [];
  client.on('functionCall', (e: unknown) => calls.push(e));
  socket.receive({ type: 'function_call', function_name: 'show_map', arguments: { city: 'Hangzhou' }, call_id: 'fc-1', awaits_result: true, timeout_ms: 5000 });
  socket.receive({ type: 'function_call', function_name: 'endCall', arguments: {}, call_id: 'fc-0', awaits_result: false });
  t.same(calls, [
    { name: 'show_map', arguments: { city: 'Hangzhou' }, callId: 'fc-1', awaitsResult: true, timeoutMs: 5000 },
    { name: 'endCall', arguments: {}, callId: 'fc-0', awaitsResult: false },
  ], 'functionCall says which calls the app must answer');
  client.sendFunctionResult('fc-1', { ok: true });
  t.same(socket.sent[1], { type: 'function_result', call_id: 'fc-1', result: { ok: true } });
  const stopping = client.stop();
  t.same(socket.sent[2], { type: 'stop' });
  socket.receive({ type: 'status', status: 'ended', reason: 'client-stop' });
  socket.close(1000);
  await stopping;
  t.equal(client.status, 'disconnected');
  t.equal(ScriptedSocket.all.length, 1);
});
