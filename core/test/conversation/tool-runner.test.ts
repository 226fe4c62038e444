import type { ServerResponse } from 'node:http';
import t, { type Test } from 'tap';
import type { ToolCall, VapiError } from '@vapi-cn/sdk-plugin-api';
import { SystemClock } from '@vapi-cn/sdk-plugin-api';
import { resolveAssistantSettings } from '../../src/conversation/assistant-settings.js';
import { AssistantToolRunner } from '../../src/conversation/tool-runner.js';
import { closedPort } from '../closed-port.js';
import { webhookReceiver } from './webhook-receiver.js';

const SECRET = 'tool-secret-do-not-log';

/** A tool webhook: signatures checked, every request answered by `respond`. */
const receiver = (t: Test, respond: (res: ServerResponse) => void) =>
  webhookReceiver(t, { secret: SECRET, clock: new SystemClock(), path: '/tools', respond: (_n, res) => respond(res) });

const json = (status: number, body: unknown) => (res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

function lookupTool(url: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'function',
    name: 'lookup_order',
    description: 'Look up an order by its number',
    parameters: { type: 'object', properties: { orderId: { type: 'string', pattern: '^[0-9]+$' }, express: { type: 'boolean' } }, required: ['orderId'] },
    webhook: { url, secret: SECRET, ...extra },
  };
}

function setup(tools: unknown[], server: Record<string, unknown> = {}) {
  const errors: VapiError[] = [];
  const runner = new AssistantToolRunner({ callId: 'call-1', clock: new SystemClock(), onError: (error) => errors.push(error) });
  const definitions = runner.definitions(resolveAssistantSettings({ tools, server }));
  return { runner, errors, definitions };
}

const toolCall = (name: string, args: unknown): ToolCall => ({ id: 'tc-1', name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });
const live = () => new AbortController().signal;

t.test('definitions: function tools as configured, built-ins with fixed schemas', async (t) => {
  const { definitions } = setup([
    lookupTool('http://127.0.0.1:9/'),
    { type: 'endCall' },
    { type: 'transferCall', destinations: [{ number: '+8610086', description: 'sales' }, { sipUri: 'sip:desk@pbx.local', description: 'the front desk' }] },
    { type: 'handoff', assistants: [{ assistantId: 'billing', description: 'billing questions' }] },
  ]);
  t.same(definitions.map((d) => d.name), ['lookup_order', 'endCall', 'transferCall', 'handoff']);
  t.match(definitions[0], { description: 'Look up an order by its number', parameters: { required: ['orderId'] } });
  t.match(definitions[1]!.parameters, { type: 'object', properties: { reason: { type: 'string' } } });
  t.match(definitions[2], { description: /\+8610086 \(sales\); sip:desk@pbx\.local \(the front desk\)/, parameters: { properties: { destination: { enum: ['+8610086', 'sip:desk@pbx.local'] } }, required: ['destination'] } });
  t.match(definitions[3]!.parameters, { properties: { assistantId: { enum: ['billing'] }, summary: { type: 'string' } }, required: ['assistantId', 'summary'] });
});

t.test('a webhook tool: signed POST of the call, its result back to the model', async (t) => {
  const hook = await receiver(t, json(200, { result: 'Order 42 ships tomorrow.' }));
  const { runner, errors } = setup([lookupTool(hook.url)]);
  const outcome = await runner.run(toolCall('lookup_order', { orderId: '42', express: true }), live());
  t.same(outcome, { result: 'Order 42 ships tomorrow.' });
  t.same(hook.received[0]!.json, { type: 'tool-calls', call: { id: 'call-1' }, toolCall: { id: 'tc-1', name: 'lookup_order', arguments: { orderId: '42', express: true } } });
  t.equal(hook.received[0]!.signature.ok, true, 'the receiver verified the signature');
  t.equal(hook.received[0]!.timestampHeader, String((hook.received[0]!.signature as { timestamp: number }).timestamp));
  t.same(errors, []);
});

t.test('a structured result is passed on as JSON; { error } is told to the model', async (t) => {
  const structured = await receiver(t, json(200, { result: { eta: '2026-01-02', carrier: 'SF' } }));
  t.same(await setup([lookupTool(structured.url)]).runner.run(toolCall('lookup_order', { orderId: '1' }), live()), { result: '{"eta":"2026-01-02","carrier":"SF"}' });
  const refused = await receiver(t, json(200, { error: 'no such order' }));
  const { runner, errors } = setup([lookupTool(refused.url)]);
  t.match(await runner.run(toolCall('lookup_order', { orderId: '7' }), live()), { result: /reported an error: no such order/ });
  t.same(errors, [], 'the tool worked; its answer was an error');
});

t.test('the server secret signs tools that have none; no secret, no signature', async (t) => {
  const hook = await receiver(t, json(200, { result: 'ok' }));
  const { secret: _secret, ...unsigned } = lookupTool(hook.url).webhook;
  await setup([{ ...lookupTool(hook.url), webhook: unsigned }], { secret: SECRET }).runner.run(toolCall('lookup_order', { orderId: '1' }), live());
  t.equal(hook.received[0]!.signature.ok, true);
  await setup([{ ...lookupTool(hook.url), webhook: unsigned }]).runner.run(toolCall('lookup_order', { orderId: '1' }), live());
  t.same(hook.received[1]!.signature, { ok: false, reason: 'missing' });
  t.equal(hook.received[1]!.timestampHeader, undefined);
});

t.test('a webhook that never answers: the model hears it failed, after the timeout and no later', async (t) => {
  const hook = await receiver(t, () => {});
  const { runner, errors } = setup([lookupTool(hook.url, { timeoutMs: 300 })]);
  const startedAt = performance.now();
  const outcome = await runner.run(toolCall('lookup_order', { orderId: '42' }), live());
  const took = performance.now() - startedAt;
  t.ok(took >= 290 && took < 5000, `returned after ${Math.round(took)} ms`);
  t.match(outcome.result, /failed.*Apologise/);
  t.match(errors, [{ code: 'VAPI_ERR_TOOL_TIMEOUT', category: 'timeout', details: { timeoutMs: 300 } }]);
});

t.test('HTTP errors and junk answers fail the tool, each with its code', async (t) => {
  const cases: Array<[string, (res: ServerResponse) => void, Record<string, unknown>]> = [
    ['500', json(500, { result: 'ignored' }), { code: 'VAPI_ERR_TOOL_HTTP', category: 'server', details: { status: 500 } }],
    ['404', json(404, 'not found'), { code: 'VAPI_ERR_TOOL_HTTP', category: 'invalid_request', details: { status: 404 } }],
    ['a redirect (not followed)', (res) => res.writeHead(307, { location: 'http://127.0.0.1:9/' }).end(), { code: 'VAPI_ERR_TOOL_HTTP', details: { status: 307 } }],
    ['HTML', json(200, '<html>oops</html>'), { code: 'VAPI_ERR_TOOL_RESPONSE', category: 'bad_input' }],
    ['JSON without result', json(200, { status: 'done' }), { code: 'VAPI_ERR_TOOL_RESPONSE' }],
    ['a JSON array', json(200, [1, 2]), { code: 'VAPI_ERR_TOOL_RESPONSE' }],
    ['an empty body', json(200, ''), { code: 'VAPI_ERR_TOOL_RESPONSE' }],
  ];
  for (const [name, respond, expected] of cases) {
    const hook = await receiver(t, respond);
    const { runner, errors } = setup([lookupTool(hook.url)]);
    const outcome = await runner.run(toolCall('lookup_order', { orderId: '42' }), live());
    t.match(outcome, { result: /"lookup_order" failed/ }, `${name}: the model hears it failed`);
    t.notOk('endCall' in outcome || 'transferTo' in outcome, `${name}: nothing else happens`);
    t.match(errors, [expected], `${name}: recorded`);
    t.notMatch(JSON.stringify(errors), SECRET, `${name}: no secret in the error`);
  }
});

t.test('an unreachable webhook fails with a log-safe reason', async (t) => {
  const port = await closedPort();
  const { runner, errors } = setup([lookupTool(`http://127.0.0.1:${port}/tools?token=abc`)]);
  t.match(await runner.run(toolCall('lookup_order', { orderId: '42' }), live()), { result: /failed/ });
  t.match(errors, [{ code: 'VAPI_ERR_TOOL_NETWORK', category: 'connectivity', details: { reason: 'ECONNREFUSED' } }]);
  t.notMatch(JSON.stringify(errors) + String(errors[0]?.message), /token=abc/, 'the URL is not repeated');
});

t.test('a call that ends mid-request cancels the tool at once, without an error', async (t) => {
  const hook = await receiver(t, () => {});
  const { runner, errors } = setup([lookupTool(hook.url, { timeoutMs: 10_000 })]);
  const controller = new AbortController();
  const running = runner.run(toolCall('lookup_order', { orderId: '42' }), controller.signal);
  while (hook.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const abortedAt = performance.now();
  controller.abort();
  t.match(await running, { result: /cancelled/ });
  t.ok(performance.now() - abortedAt < 5000, 'promptly, not at the 10 s timeout');
  t.same(errors, []);
});

t.test('bad arguments from the model: the model is told what was wrong, the webhook is not called', async (t) => {
  const hook = await receiver(t, json(200, { result: 'should not be called' }));
  const { runner, errors } = setup([lookupTool(hook.url)]);
  const invalidJson = await runner.run(toolCall('lookup_order', '{"orderId": 42'), live());
  t.match(invalidJson.result, /arguments for "lookup_order" were not accepted: they are not valid JSON \(.+\)\. Call it again/);
  t.match(errors[0]!.message, /not valid JSON$/, 'the logged error does not quote the arguments');
  t.match(await runner.run(toolCall('lookup_order', '[1]'), live()), { result: /must be a JSON object/ });
  const failing = await runner.run(toolCall('lookup_order', { orderId: 'forty-two', express: 'yes', extra: 1 }), live());
  t.match(failing.result, /orderId must match pattern/);
  t.match(failing.result, /express must be boolean/);
  t.match(await runner.run(toolCall('lookup_order', {}), live()), { result: /the arguments must have required property 'orderId'/ });
  t.equal(hook.received.length, 0);
  t.equal(errors.length, 4);
  t.ok(errors.every((e) => e.code === 'VAPI_ERR_TOOL_ARGUMENTS' && e.category === 'bad_input'));
});

t.test('a tool that was not offered, or a schema that does not compile', async (t) => {
  const fresh = new AssistantToolRunner({ callId: 'call-1', clock: new SystemClock() });
  t.match(await fresh.run(toolCall('endCall', {}), live()), { result: /no tool named "endCall"/ }, 'nothing offered yet; no onError is fine');
  const { runner, errors } = setup([{ type: 'endCall' }, { ...lookupTool('http://127.0.0.1:9/'), name: 'broken', parameters: { type: 'object', properties: { x: { type: 'nope' } } } }]);
  t.match(await runner.run(toolCall('transferCall', { destination: '+8610086' }), live()), { result: /no tool named "transferCall"/ });
  t.match(await runner.run(toolCall('broken', { x: 1 }), live()), { result: /"broken" failed/ });
  t.match(errors, [
    { code: 'VAPI_ERR_TOOL_UNKNOWN', category: 'invalid_request' },
    { code: 'VAPI_ERR_TOOL_SCHEMA', category: 'invalid_request', fix: /tools\[\]\.parameters/ },
  ]);
});

t.test('built-ins: endCall, transferCall (configured destinations only), handoff', async (t) => {
  const { runner, errors } = setup([
    { type: 'endCall' },
    { type: 'transferCall', destinations: [{ number: '+8610086', description: 'sales' }, { sipUri: 'sip:desk@pbx.local', description: 'the front desk' }] },
    { type: 'handoff', assistants: [{ assistantId: 'billing', description: 'the billing assistant' }] },
  ]);
  t.same(await runner.run(toolCall('endCall', { reason: 'caller said goodbye' }), live()), { result: 'The call is ending.', endCall: true });
  t.same(await runner.run(toolCall('endCall', ''), live()), { result: 'The call is ending.', endCall: true }, 'empty arguments are no arguments');
  t.same(await runner.run(toolCall('transferCall', { destination: 'sip:desk@pbx.local' }), live()), { result: 'Transferring the call to the front desk.', transferTo: 'sip:desk@pbx.local' });
  const elsewhere = await runner.run(toolCall('transferCall', { destination: '+8613800138000' }), live());
  t.notOk('transferTo' in elsewhere, 'never to a number the assistant does not list');
  t.match(elsewhere.result, /allowed values: \+8610086, sip:desk@pbx\.local/);
  t.match(errors.at(-1), { code: 'VAPI_ERR_TOOL_ARGUMENTS', message: /destination must be equal to one of the allowed values$/ }, 'the logged error names no numbers');
  t.match(await runner.run(toolCall('transferCall', {}), live()), { result: /required property 'destination'/ }, 'with two destinations the model must choose');
  t.same(await runner.run(toolCall('handoff', { assistantId: 'billing', summary: 'Caller disputes invoice 17.' }), live()), {
    result: 'Handing the call to the billing assistant.',
    handoffTo: 'billing',
    summary: 'Caller disputes invoice 17.',
  });
  t.notOk('handoffTo' in (await runner.run(toolCall('handoff', { assistantId: 'sales', summary: 'x' }), live())));
  t.match(await runner.run(toolCall('handoff', { assistantId: 'billing' }), live()), { result: /required property 'summary'/ });
  t.equal(errors.length, 4);
  const single = setup([{ type: 'transferCall', destinations: [{ number: '+8610086', description: 'sales' }] }]).runner;
  t.same(await single.run(toolCall('transferCall', {}), live()), { result: 'Transferring the call to sales.', transferTo: '+8610086' }, 'a single destination need not be named');
});
