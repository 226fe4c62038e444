/**
 * The sendDtmf tool: the model presses keys on the leg, after the words it said before them;
 * pauses are waited by the engine unless the leg takes them; bad keys, a leg without DTMF and a
 * leg that fails each give the model a clear result and the record an error.
 */
import t from 'tap';
import type { LlmRequest } from '@vapi-cn/sdk-plugin-api';
import type { FakeLlmReply } from '@vapi-cn/sdk-plugin-api/testkit';
import { startHarness } from './session-harness.js';

/** Presses `digits` (saying a line first), then reads the tool's result aloud. */
const pressing = (digits: string, text = '') => (request: LlmRequest): FakeLlmReply => {
  const last = request.messages.at(-1)!;
  if (last.role === 'tool') return `Result: ${last.content}`;
  return { text, toolCalls: [{ id: 'k1', name: 'sendDtmf', arguments: { digits } }] };
};

const config = { tools: [{ type: 'sendDtmf' }] };

t.test('the model presses keys after its words are out; w pauses are waited when the leg does not take them', async (t) => {
  const h = await startHarness(t, { config, script: pressing('1w2#', 'Pressing one for sales.') });
  await h.talk();
  t.ok(await h.until(() => h.said('assistant').length === 2));
  t.same(h.leg.dtmfSent.map((d) => d.digits), ['1', '2#'], 'split at the pause');
  const [first, second] = h.leg.dtmfSent;
  t.ok(second!.at - first!.at >= 500 && second!.at - first!.at < 600, `${second!.at - first!.at} ms apart`);
  // 'Pressing one for sales.' is 20 characters (spaces aside) of 40 ms each: 40 frames, all out before the first key.
  const voicedBefore = h.leg.sent.filter((f) => f.at <= first!.at && f.level > -60).length;
  t.ok(voicedBefore >= 40, `the words went out before the keys (${voicedBefore} frames)`);
  t.same(h.said('assistant'), ['Pressing one for sales.', 'Result: Pressed 1w2#.']);
  t.match(h.ofType('tool-call'), [{ payload: { name: 'sendDtmf', arguments: '{"digits":"1w2#"}', result: 'Pressed 1w2#.' } }]);
  t.same(h.errorCodes(), []);
  t.match(h.llm.requests[0]!.tools, [{ name: 'sendDtmf', parameters: { required: ['digits'] } }], 'offered to the model');
});

t.test('a leg that takes pauses gets the keys in one call', async (t) => {
  const h = await startHarness(t, { config, script: pressing('12W3'), leg: (leg) => Object.defineProperty(leg, 'dtmfPauses', { value: true }) });
  await h.talk();
  t.ok(await h.until(() => h.said('assistant').length === 1));
  t.same(h.leg.dtmfSent.map((d) => d.digits), ['12W3']);
});

t.test('keys that are not DTMF are refused; nothing is sent', async (t) => {
  for (const digits of ['12x', 'ww', '', '1'.repeat(65)]) {
    const h = await startHarness(t, { config, script: pressing(digits) });
    await h.talk();
    t.ok(await h.until(() => h.said('assistant').length === 1), `${JSON.stringify(digits)}: answered`);
    t.same(h.leg.dtmfSent, [], `${JSON.stringify(digits)}: nothing sent`);
    t.same(h.errorCodes(), ['VAPI_ERR_TOOL_ARGUMENTS']);
    t.match(h.said('assistant')[0], /were not accepted/);
  }
});

t.test('a leg without DTMF: a clear result and an error event', async (t) => {
  const h = await startHarness(t, { config, script: pressing('1'), leg: (leg) => Object.defineProperty(leg, 'sendDtmf', { value: undefined }) });
  await h.talk();
  t.ok(await h.until(() => h.said('assistant').length === 1));
  t.match(h.said('assistant')[0], /cannot send keypad tones/);
  t.match(h.ofType('error'), [{ payload: { code: 'VAPI_ERR_TOOL_DTMF_UNSUPPORTED', tool: 'sendDtmf' } }]);
  t.equal(h.endedWith(), undefined, 'the call goes on');
});

t.test('a leg that fails to send: the model hears the tool failed, the record has the error', async (t) => {
  const h = await startHarness(t, {
    config,
    script: pressing('1'),
    leg: (leg) => Object.defineProperty(leg, 'sendDtmf', { value: async () => Promise.reject(new Error('channel gone')) }),
  });
  await h.talk();
  t.ok(await h.until(() => h.said('assistant').length === 1));
  t.match(h.said('assistant')[0], /failed/);
  t.match(h.ofType('error'), [{ payload: { code: 'VAPI_ERR_TOOL_DTMF_FAILED', message: /channel gone/ } }]);
});
