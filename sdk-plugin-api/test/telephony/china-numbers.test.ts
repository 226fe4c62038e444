/** Chinese numbers written every common way reduce to one national form. */
import t from 'tap';
import { nationalNumber, parseChineseNumber, type ChineseNumberKind } from '../../src/telephony/china-numbers.js';

const TABLE: Array<[input: string, kind: ChineseNumberKind, national: string, e164?: string]> = [
  ['13800138000', 'mobile', '13800138000', '+8613800138000'],
  ['+86 138 0013 8000', 'mobile', '13800138000', '+8613800138000'],
  ['008613800138000', 'mobile', '13800138000', '+8613800138000'],
  ['8613800138000', 'mobile', '13800138000', '+8613800138000'],
  ['013800138000', 'mobile', '13800138000', '+8613800138000'],
  ['(010) 8888-6666', 'landline', '01088886666', '+861088886666'],
  ['+86 10 8888 6666', 'landline', '01088886666', '+861088886666'],
  ['0571 8888 666', 'landline', '05718888666', '+865718888666'],
  ['0086 21 1234 5678', 'landline', '02112345678', '+862112345678'],
  // Carriers (IMS trunks) send landlines as 86 + area code without the 0 and without a +.
  ['861088886666', 'landline', '01088886666', '+861088886666'],
  ['8657188886666', 'landline', '057188886666', '+8657188886666'],
  ['400-123-4567', 'service', '4001234567', '+864001234567'],
  ['800 810 1234', 'service', '8008101234', '+868008101234'],
  ['95555', 'short', '95555'],
  ['10086', 'short', '10086'],
  ['+44 20 7946 0958', 'international', '+442079460958'],
  ['88886666', 'unknown', '88886666'],
  ['sip:alice@example.com', 'unknown', 'sip:alice@example.com'],
];

t.test('number table', async (t) => {
  for (const [input, kind, national, e164] of TABLE) {
    const parsed = parseChineseNumber(input);
    t.equal(parsed.kind, kind, `${input}: kind`);
    t.equal(parsed.national, national, `${input}: national`);
    if (e164) t.equal(parsed.e164, e164, `${input}: e164`);
    t.equal(nationalNumber(input), national);
  }
});

t.test('an 86-prefixed number that is no landline is not rewritten', async (t) => {
  // 86 + 9 digits whose area code leaves a 6-digit local number: not a landline, kept as written.
  t.same(parseChineseNumber('86571888866'), { kind: 'unknown', national: '86571888866' });
});
