/**
 * Client tools over the voice WebSocket API, end to end: the scripted LLM calls a client tool,
 * the client gets `function_call` with `awaits_result`, answers with `function_result`, and the
 * bot speaks a reply built from the result. A result nobody waits for, a late one and one before
 * `start` get an `error` message, and the call goes on.
 */
import t from 'tap';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { Client, startServer } from './helpers.js';

const scripted = {
  'llm-scripted': {
    options: {
      rules: [
        { keywords: ['where'], reply: 'Let me check.', toolCall: { name: 'get_location', arguments: { precision: 'city' } }, afterTool: 'You are in {{result}}.' },
        { keywords: ['hello'], reply: 'Hello again.' },
      ],
    },
  },
};

// One server for the file: starting one is the slow part.
const server = await startServer(t, {}, {}, scripted);
const { store, wsUrl } = server;
for (const [id, timeoutMs] of [
  ['app', 10_000],
  ['app-impatient', 300],
] as const) {
  await server.kernel.resolve(coreRefs.store).assistants.create({
    id,
    name: id,
    config: {
      firstMessageMode: 'caller-first',
      stt: { provider: 'fake' },
      llm: { provider: 'scripted' },
      tts: { provider: 'fake' },
      tools: [{ type: 'client', name: 'get_location', description: "The caller's city, from the app", timeoutMs }],
    },
  });
}

/** A started call on `assistantId`, listening. */
async function startCall(assistantId = 'app') {
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send({ type: 'start', assistant_id: assistantId });
  const connected = await client.waitFor((m) => m.status === 'connected');
  await client.waitFor((m) => m.status === 'listening');
  return { client, callId: connected.call_id as string };
}

t.test('the client runs the tool and the bot speaks from its result', async (t) => {
  const { client, callId } = await startCall();
  client.send({ type: 'text', text: 'where am I?' });
  const call = await client.waitFor((m) => m.type === 'function_call');
  t.match(call, { function_name: 'get_location', arguments: { precision: 'city' }, call_id: String, awaits_result: true, timeout_ms: 10_000 });
  client.send({ type: 'function_result', call_id: call.call_id, result: 'Hangzhou' });
  t.match(await client.waitFor((m) => m.type === 'response' && m.is_final === true && /Hangzhou/.test(String(m.text))), { text: 'You are in Hangzhou.' });
  t.ok(client.binary.length > 0, 'and said it');
  t.same(client.messages.filter((m) => m.type === 'error'), []);
  const events = await store.callEvents.list(callId);
  t.match(events.filter((e) => e.type === 'tool-call'), [{ payload: { name: 'get_location', result: 'Hangzhou' } }]);
  client.socket.close();
});

t.test('results nobody waits for: an error message each, and the call goes on', async (t) => {
  const { client, callId } = await startCall();
  client.send({ type: 'function_result', call_id: 'nobody-asked', result: { ok: true } });
  t.match(await client.waitFor((m) => m.type === 'error'), { code: 'VAPI_ERR_TOOL_CLIENT_RESULT_UNEXPECTED', message: /no client tool call 'nobody-asked' is waiting/, fix: String });
  client.send({ type: 'text', text: 'where am I?' });
  const call = await client.waitFor((m) => m.type === 'function_call');
  client.send({ type: 'function_result', call_id: call.call_id, result: 'Beijing' });
  await client.waitFor((m) => m.type === 'response' && m.is_final === true && /Beijing/.test(String(m.text)));
  client.send({ type: 'function_result', call_id: call.call_id, result: 'Shanghai' });
  t.match(await client.waitFor((m) => m.type === 'error' && /came after/.test(String(m.message))), { code: 'VAPI_ERR_TOOL_CLIENT_RESULT_UNEXPECTED' });
  client.send({ type: 'text', text: 'hello' });
  t.match(await client.waitFor((m) => m.type === 'response' && m.is_final === true && m.text === 'Hello again.'), {}, 'the call goes on');
  const errors = (await store.callEvents.list(callId)).filter((e) => e.type === 'error');
  t.equal(errors.length, 2, 'both recorded');
  client.socket.close();
});

t.test('a client that does not answer in time: the model hears the tool failed and the call goes on', async (t) => {
  const { client, callId } = await startCall('app-impatient');
  client.send({ type: 'text', text: 'where am I?' });
  await client.waitFor((m) => m.type === 'function_call');
  t.match(await client.waitFor((m) => m.type === 'response' && m.is_final === true && /failed/.test(String(m.text))), { text: /^You are in The tool "get_location" failed/ });
  const errors = (await store.callEvents.list(callId)).filter((e) => e.type === 'error');
  t.match(errors, [{ payload: { code: 'VAPI_ERR_TOOL_CLIENT_TIMEOUT' } }]);
  client.socket.close();
});

t.test('function_result before start, or without a call_id, is a protocol error', async (t) => {
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send({ type: 'function_result', call_id: 'x', result: 1 });
  client.send({ type: 'function_result', result: 1 });
  client.send({ type: 'function_result', call_id: 'y'.repeat(300), result: 1 });
  await client.waitFor(() => client.messages.filter((m) => m.type === 'error').length === 3);
  t.match(client.messages.filter((m) => m.type === 'error'), [
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /function_result before start/ },
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /needs the call_id/ },
    { code: 'VAPI_ERR_WS_PROTOCOL', message: /needs the call_id/ },
  ]);
  client.socket.close();
});
