/**
 * The caller's keypad inside a session: keys become the model's turn (`model`), run a menu
 * without the model (`menu`), or are only recorded (`ignore`); a key interrupts the bot when
 * barge-in is on, and waits for the end of its turn when it is off.
 */
import t from 'tap';
import type { LlmRequest } from '@vapi-cn/sdk-plugin-api';
import { startHarness } from './session-harness.js';

const LONG = 'Welcome to the shop. Our opening hours are nine to five on weekdays and ten to four on weekends. Press one for sales.';
const lastUser = (request: LlmRequest | undefined) => request?.messages.findLast((m) => m.role === 'user')?.content;

t.test('model mode: keys up to the terminator are the caller turn "[DTMF] 1234"; every key is recorded', async (t) => {
  const h = await startHarness(t, { script: (request) => `You entered ${lastUser(request)}.` });
  h.leg.pressKeys('1234#');
  t.ok(await h.until(() => h.said('assistant').length > 0));
  t.same(h.said('user'), ['[DTMF] 1234']);
  t.same(h.said('assistant'), ['You entered [DTMF] 1234.']);
  t.same(h.ofType('dtmf').map((e) => e.payload.digit), ['1', '2', '3', '4', '#'], 'each key, terminator included');
  t.match(h.ofType('dtmf-input'), [{ payload: { digits: '1234', mode: 'model' } }]);
  t.ok(h.leg.botAudioAfter(0) > 0, 'the reply was spoken');
});

t.test('model mode: the inter-digit timeout and maxDigits end an input', async (t) => {
  const h = await startHarness(t, { config: { dtmf: { interDigitTimeoutMs: 1000, maxDigits: 3 } }, script: (request) => `Got ${lastUser(request)}.` });
  h.leg.pressKeys('56');
  await h.clock.advance(900);
  t.equal(h.llm.requests.length, 0, 'still gathering');
  t.ok(await h.until(() => h.said('assistant').length === 1));
  t.same(h.said('user'), ['[DTMF] 56']);
  h.leg.pressKeys('789');
  t.ok(await h.until(() => h.said('assistant').length === 2, 500), 'the third key ends it at once');
  t.same(h.said('user'), ['[DTMF] 56', '[DTMF] 789']);
});

t.test('a key interrupts the bot when barge-in is on', async (t) => {
  const h = await startHarness(t, {
    config: { firstMessageMode: 'assistant-first', firstMessage: LONG },
    script: (request) => `You entered ${lastUser(request)}.`,
  });
  await h.clock.advance(1000);
  t.ok(h.leg.botAudioAfter(800) > 0, 'the greeting is playing');
  const pressedAt = h.clock.monotonic();
  h.leg.pressKeys('1');
  await h.clock.advance(400);
  t.equal(h.leg.botAudioAfter(pressedAt + 20), 0, 'the bot stopped within a frame of the key');
  t.match(h.ofType('barge-in'), [{ payload: { by: 'dtmf', heardText: String } }]);
  const heard = String(h.ofType('barge-in')[0]!.payload.heardText);
  t.ok(heard.length < LONG.length, `heard "${heard}"`);
  h.leg.pressKeys('#');
  t.ok(await h.until(() => h.said('assistant').length === 2));
  t.same(h.said('user'), ['[DTMF] 1']);
  const request = h.llm.requests[0]!;
  t.same(request.messages.filter((m) => m.role === 'assistant').map((m) => m.content), [heard], 'the history keeps what the caller heard of the greeting');
});

t.test('with barge-in off the keys wait for the end of the bot turn', async (t) => {
  const h = await startHarness(t, {
    config: { firstMessageMode: 'assistant-first', firstMessage: LONG, bargeIn: { enabled: false } },
    script: (request) => `You entered ${lastUser(request)}.`,
  });
  await h.clock.advance(1000);
  h.leg.pressKeys('7#');
  await h.clock.advance(1000);
  t.same(h.ofType('barge-in'), [], 'no interruption');
  t.equal(h.llm.requests.length, 0, 'the model waits');
  t.ok(await h.until(() => h.said('assistant').length === 2, 20_000));
  t.same(h.said('user'), ['[DTMF] 7']);
  t.same(h.said('assistant')[0], LONG, 'the greeting was said in full');
});

const MENU = {
  mode: 'menu',
  menu: {
    options: [
      { digits: '1', action: { type: 'say', text: 'Our hours are nine to five.' } },
      { digits: '2', action: { type: 'transfer', destination: '+8610086', text: 'Transferring you now.' } },
      { digits: '3', action: { type: 'endCall', text: 'Goodbye.' } },
      { digits: '4', action: { type: 'handoff', assistantId: 'billing' } },
      { digits: '5', action: { type: 'model', text: 'The caller pressed {{digits}} to ask about an order.' } },
      { digits: '0', action: { type: 'transfer', destination: 'sip:operator@pbx.local' } },
    ],
    invalid: 'That is not an option.',
  },
};

t.test('menu mode: say and an invalid key run at once without the model', async (t) => {
  const h = await startHarness(t, { config: { dtmf: MENU } });
  h.leg.pressKeys('1');
  t.ok(await h.until(() => h.said('assistant').length === 1, 500), 'said at once: no wait for more keys');
  t.same(h.said('assistant'), ['Our hours are nine to five.']);
  await h.clock.advance(3000);
  h.leg.pressKeys('9');
  t.ok(await h.until(() => h.said('assistant').length === 2, 500));
  t.same(h.said('assistant'), ['Our hours are nine to five.', 'That is not an option.']);
  t.match(h.ofType('dtmf-input'), [{ payload: { digits: '1', mode: 'menu', action: 'say' } }, { payload: { digits: '9', action: 'invalid' } }]);
  t.equal(h.llm.requests.length, 0, 'the model was never asked');
  t.ok(h.leg.botAudioAfter(0) > 0);
});

t.test('menu mode: transfer, after its words, with the engine transfer', async (t) => {
  const h = await startHarness(t, { config: { dtmf: MENU } });
  h.leg.pressKeys('2');
  t.equal(await h.until(() => h.endedWith() !== undefined), true);
  t.equal(h.leg.transferredTo, '+8610086');
  t.equal(h.endedWith(), 'transferred');
  t.same(h.said('assistant'), ['Transferring you now.']);
});

t.test('menu mode: endCall after its words', async (t) => {
  const h = await startHarness(t, { config: { dtmf: MENU } });
  h.leg.pressKeys('3');
  t.ok(await h.until(() => h.endedWith() !== undefined));
  t.equal(h.endedWith(), 'assistant-ended-call');
  t.same(h.said('assistant'), ['Goodbye.']);
  t.ok(h.leg.botAudioAfter(0) > 0, 'the goodbye was heard');
});

t.test('menu mode: handoff to another assistant, which greets; the model action gives its text', async (t) => {
  const h = await startHarness(t, {
    config: { dtmf: MENU },
    assistants: { billing: { firstMessage: 'Billing here, how can I help?', systemPrompt: 'You are billing.', dtmf: { mode: 'model' } } },
    script: (request) => `Billing heard: ${lastUser(request)}`,
  });
  h.leg.pressKeys('4');
  t.ok(await h.until(() => h.said('assistant').length === 1));
  t.match(h.ofType('handoff'), [{ payload: { from: 'main', to: 'billing', summary: /option 4/ } }]);
  t.same(h.said('assistant'), ['Billing here, how can I help?']);
  // Now billing's own dtmf settings apply: keys go to its model.
  h.leg.pressKeys('5#');
  t.ok(await h.until(() => h.said('assistant').length === 2));
  t.same(h.said('user'), ['[DTMF] 5']);
  t.match(h.llm.requests[0]!.messages[0]!.content, /You are billing[\s\S]*option 4/);
});

t.test('menu mode: the model action is the caller turn', async (t) => {
  const h = await startHarness(t, { config: { dtmf: MENU }, script: (request) => `Sure: ${lastUser(request)}` });
  h.leg.pressKeys('5');
  t.ok(await h.until(() => h.said('assistant').length === 1));
  t.same(h.said('user'), ['The caller pressed 5 to ask about an order.']);
});

t.test('menu mode: an option the call cannot run is recorded and answered with the invalid line', async (t) => {
  const h = await startHarness(t, { config: { dtmf: MENU }, leg: (leg) => Object.defineProperty(leg, 'transfer', { value: undefined }) });
  h.leg.pressKeys('0');
  t.ok(await h.until(() => h.said('assistant').length === 1));
  t.same(h.said('assistant'), ['That is not an option.']);
  t.match(h.ofType('error'), [{ payload: { code: 'VAPI_ERR_DTMF_MENU_ACTION', message: /cannot transfer/ } }]);
  t.equal(h.endedWith(), undefined, 'the call goes on');
  const noBilling = await startHarness(t, { config: { dtmf: MENU } });
  noBilling.leg.pressKeys('4');
  t.ok(await noBilling.until(() => noBilling.said('assistant').length === 1));
  t.match(noBilling.ofType('error'), [{ payload: { code: 'VAPI_ERR_DTMF_MENU_ACTION', message: /'billing', which is not available/ } }]);
});

t.test('ignore mode: keys are recorded and nothing else happens', async (t) => {
  const h = await startHarness(t, { config: { dtmf: { mode: 'ignore' } } });
  h.leg.pressKeys('123#');
  await h.clock.advance(5000);
  t.equal(h.ofType('dtmf').length, 4);
  t.same(h.ofType('dtmf-input'), []);
  t.equal(h.llm.requests.length, 0);
  t.same(h.said('assistant'), []);
});
