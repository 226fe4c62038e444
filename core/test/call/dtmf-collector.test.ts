import t from 'tap';
import type { DtmfDigit } from '@vapi-cn/sdk-plugin-api';
import { VirtualClock } from '@vapi-cn/sdk-plugin-api/testkit';
import { DtmfCollector, type DtmfRules } from '../../src/call/dtmf-collector.js';

const RULES: DtmfRules = { terminator: '#', maxDigits: 4, interDigitTimeoutMs: 2000 };

function collector() {
  const clock = new VirtualClock();
  const inputs: Array<{ digits: string; at: number }> = [];
  const keys = new DtmfCollector(clock, (digits) => inputs.push({ digits, at: clock.monotonic() }));
  const press = (digits: string, rules: DtmfRules = RULES) => {
    for (const digit of digits) keys.push(digit as DtmfDigit, rules);
  };
  return { clock, inputs, keys, press };
}

t.test('the terminator ends an input and is not part of it; alone it is an input of its own', async (t) => {
  const { inputs, press } = collector();
  press('12#');
  press('#');
  t.same(inputs.map((i) => i.digits), ['12', '#']);
});

t.test('maxDigits ends an input', async (t) => {
  const { inputs, press, keys } = collector();
  press('123456');
  t.same(inputs.map((i) => i.digits), ['1234']);
  t.equal(keys.pending, '56');
});

t.test('the inter-digit timeout ends an input, counted from the last key', async (t) => {
  const { clock, inputs, press } = collector();
  press('1');
  await clock.advance(1500);
  press('2');
  await clock.advance(1999);
  t.same(inputs, [], 'not yet: each key restarts the wait');
  await clock.advance(1);
  t.same(inputs, [{ digits: '12', at: 3500 }]);
});

t.test('no terminator: # is a key like any other', async (t) => {
  const { clock, inputs, press } = collector();
  press('1#2', { ...RULES, terminator: '' });
  await clock.advance(2000);
  t.same(inputs.map((i) => i.digits), ['1#2']);
});

t.test('a menu decides at once when the keys choose an option no longer one starts with, or none', async (t) => {
  const { clock, inputs, press } = collector();
  const menu = { ...RULES, choices: ['1', '2', '10', '#'] };
  press('2', menu);
  t.same(inputs.map((i) => i.digits), ['2'], 'a unique option acts on its key');
  press('9', menu);
  t.same(inputs.map((i) => i.digits), ['2', '9'], 'a key no option starts with is answered at once');
  press('#', menu);
  t.same(inputs.map((i) => i.digits), ['2', '9', '#'], 'an option may be the terminator key itself');
  press('1', menu);
  t.equal(inputs.length, 3, '1 may become 10: wait');
  press('0', menu);
  t.same(inputs.at(-1)?.digits, '10');
  press('1', menu);
  await clock.advance(2000);
  t.same(inputs.at(-1)?.digits, '1', 'the timeout settles 1');
  press('1#', menu);
  t.same(inputs.at(-1)?.digits, '1', 'and so does the terminator');
  t.equal(inputs.length, 6);
});

t.test('close drops what was gathered', async (t) => {
  const { clock, inputs, press, keys } = collector();
  press('12');
  keys.close();
  await clock.advance(5000);
  t.same(inputs, []);
});
