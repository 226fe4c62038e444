/**
 * Client tools inside a session: the client is asked with a function-call notice, its result
 * goes to the model; a timeout, a hangup while waiting, a result nobody waits for and a leg that
 * cannot carry client tools each end in a result the model can use, an error event, no hang.
 */
import t from 'tap';
import type { FakeLlmReply } from '@vapi-cn/sdk-plugin-api/testkit';
import type { CallNotice, LlmRequest } from '@vapi-cn/sdk-plugin-api';
import { startHarness } from './session-harness.js';

const lookup = (extra: Record<string, unknown> = {}) => ({
  type: 'client',
  name: 'lookup_order',
  description: 'Look the order up in the app',
  parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
  ...extra,
});

/** Calls the client tool for the caller's turn; answers from the tool's result after it. */
function orderScript(request: LlmRequest): FakeLlmReply {
  const last = request.messages.at(-1)!;
  if (last.role === 'tool') return `Order status: ${last.content}`;
  return { toolCalls: [{ id: 'tc-1', name: 'lookup_order', arguments: { order: '42' } }] };
}

type FunctionCallNotice = Extract<CallNotice, { type: 'function-call' }>;
const functionCalls = (notices: CallNotice[]) => notices.filter((n): n is FunctionCallNotice => n.type === 'function-call');

t.test('the client is asked, answers, and the model speaks from its result', async (t) => {
  const h = await startHarness(t, { config: { tools: [lookup({ speakWhileWaiting: 'One moment.' })] }, script: orderScript });
  await h.talk();
  t.ok(await h.until(() => functionCalls(h.leg.notices).length > 0), 'the client was asked');
  t.same(functionCalls(h.leg.notices), [{ type: 'function-call', name: 'lookup_order', arguments: '{"order":"42"}', callId: 'tc-1', awaitsResult: true, timeoutMs: 10_000 }]);
  await h.clock.advance(2000);
  t.same(h.said('assistant'), ['One moment.'], 'only the waiting line while the client works');
  h.leg.emitFunctionResult('tc-1', { status: 'shipped', eta: 'Friday' });
  t.ok(await h.until(() => h.said('assistant').length === 2), 'the reply after the result');
  t.equal(h.said('assistant')[1], 'Order status: {"status":"shipped","eta":"Friday"}');
  t.match(h.ofType('tool-call'), [{ payload: { id: 'tc-1', name: 'lookup_order', result: '{"status":"shipped","eta":"Friday"}' } }]);
  t.same(h.errorCodes(), []);
  t.equal(h.endedWith(), undefined, 'the call goes on');
});

t.test('a text result reaches the model as it is', async (t) => {
  const h = await startHarness(t, { config: { tools: [lookup()] }, script: orderScript });
  await h.talk();
  await h.until(() => functionCalls(h.leg.notices).length > 0);
  h.leg.emitFunctionResult('tc-1', 'on its way');
  t.ok(await h.until(() => h.said('assistant').includes('Order status: on its way')));
});

t.test('no answer in time: the model hears the tool failed, the record has the error, a late answer is refused', async (t) => {
  const script = (request: LlmRequest): FakeLlmReply => {
    const last = request.messages.at(-1)!;
    if (last.role === 'tool') return last.content.includes('failed') ? 'Sorry, I cannot look that up now.' : `Got ${last.content}`;
    return { toolCalls: [{ id: 'tc-1', name: 'lookup_order', arguments: { order: '42' } }] };
  };
  const h = await startHarness(t, { config: { tools: [lookup({ timeoutMs: 1000 })] }, script });
  let askedAt = -1;
  const notify = h.leg.notify.bind(h.leg);
  h.leg.notify = (notice) => {
    if (notice.type === 'function-call') askedAt = h.clock.monotonic();
    notify(notice);
  };
  await h.talk();
  await h.until(() => askedAt >= 0);
  t.ok(await h.until(() => h.said('assistant').length > 0), 'the bot goes on');
  const repliedAt = h.clock.monotonic();
  t.ok(repliedAt - askedAt >= 1000 && repliedAt - askedAt < 2000, `after the 1000 ms timeout (${repliedAt - askedAt} ms)`);
  t.same(h.said('assistant'), ['Sorry, I cannot look that up now.']);
  t.match(h.ofType('error'), [{ payload: { code: 'VAPI_ERR_TOOL_CLIENT_TIMEOUT', category: 'timeout', tool: 'lookup_order' } }]);
  h.leg.emitFunctionResult('tc-1', 'too late');
  await h.clock.advance(20);
  t.same(h.errorCodes(), ['VAPI_ERR_TOOL_CLIENT_TIMEOUT', 'VAPI_ERR_TOOL_CLIENT_RESULT_UNEXPECTED']);
  t.match(h.ofType('error')[1], { payload: { message: /came after/ } });
  t.match(h.leg.notices.at(-1), { type: 'error', code: 'VAPI_ERR_TOOL_CLIENT_RESULT_UNEXPECTED', fix: /exactly once/ }, 'the client hears it');
  await h.clock.advance(500);
  t.equal(h.endedWith(), undefined, 'the call goes on');
});

t.test('a result for a call id nobody asked for: an error for the client, the call goes on', async (t) => {
  const h = await startHarness(t, { config: { tools: [lookup()] } });
  h.leg.emitFunctionResult('never-asked', { ok: true });
  await h.clock.advance(20);
  t.match(h.ofType('error'), [{ payload: { code: 'VAPI_ERR_TOOL_CLIENT_RESULT_UNEXPECTED', category: 'bad_input', message: /no client tool call 'never-asked' is waiting/ } }]);
  t.match(h.leg.notices.filter((n) => n.type === 'error'), [{ code: 'VAPI_ERR_TOOL_CLIENT_RESULT_UNEXPECTED' }]);
  await h.talk();
  await h.clock.advance(2000);
  t.ok(h.said('assistant').length > 0, 'the conversation continues');
  t.equal(h.endedWith(), undefined);
});

t.test('the caller hangs up while the client works: the wait ends, the record has the error before the report', async (t) => {
  const h = await startHarness(t, { config: { tools: [lookup({ timeoutMs: 60_000 })] }, script: orderScript });
  await h.talk();
  await h.until(() => functionCalls(h.leg.notices).length > 0);
  h.leg.emitHangup('NORMAL_CLEARING');
  t.equal(await h.session.ended, 'caller-hangup', 'the call ends without waiting for the tool');
  const types = h.events.map((e) => e.type);
  t.ok(types.indexOf('error') >= 0 && types.indexOf('error') < types.indexOf('end-of-call-report'), 'the error is recorded before the report');
  t.match(h.ofType('error'), [{ payload: { code: 'VAPI_ERR_TOOL_CLIENT_CANCELLED', tool: 'lookup_order', callId: 'tc-1', message: /caller-hangup/ } }]);
  h.leg.emitFunctionResult('tc-1', 'after the end');
  await h.clock.advance(20);
  t.equal(h.ofType('error').length, 1, 'a result after the end is ignored');
});

t.test('a leg that cannot carry client tools: the model hears so at once, the record has the error', async (t) => {
  const script = (request: LlmRequest): FakeLlmReply => {
    const last = request.messages.at(-1)!;
    if (last.role === 'tool') return last.content.includes('cannot run on this call') ? 'I cannot check that on this line.' : 'unexpected';
    return { toolCalls: [{ id: 'tc-1', name: 'lookup_order', arguments: { order: '42' } }] };
  };
  const h = await startHarness(t, { config: { tools: [lookup()] }, leg: (leg) => (leg.clientTools = false), script });
  await h.talk();
  t.ok(await h.until(() => h.said('assistant').length > 0, 3000), 'answered well before any timeout');
  t.same(h.said('assistant'), ['I cannot check that on this line.']);
  t.match(h.ofType('error'), [{ payload: { code: 'VAPI_ERR_TOOL_CLIENT_UNSUPPORTED', tool: 'lookup_order' } }]);
  t.notOk(functionCalls(h.leg.notices).some((n) => n.awaitsResult), 'nobody was asked for a result');
});

t.test('bad arguments never reach the client', async (t) => {
  let rounds = 0;
  const script = (request: LlmRequest): FakeLlmReply => {
    const last = request.messages.at(-1)!;
    rounds++;
    if (last.role === 'tool') return 'Let me try that differently.';
    return { toolCalls: [{ id: 'tc-1', name: 'lookup_order', arguments: { order: 42 } }] };
  };
  const h = await startHarness(t, { config: { tools: [lookup()] }, script });
  await h.talk();
  t.ok(await h.until(() => h.said('assistant').length > 0));
  t.ok(rounds >= 2);
  t.same(functionCalls(h.leg.notices), [], 'the client was not asked');
  t.same(h.errorCodes(), ['VAPI_ERR_TOOL_ARGUMENTS']);
});
