/** Route patterns: every usual way of writing a number or prefix reduces to one national form. */
import t from 'tap';
import { nationalNumber } from '@vapi-cn/sdk-plugin-api';
import { parseNumberPattern } from '../../src/routing/number-pattern.js';

t.test('exact numbers take the national form the router compares called numbers in', async (t) => {
  const cases: Array<[string, string]> = [
    ['4001234567', '4001234567'],
    ['+86 400-123-4567', '4001234567'],
    ['400 123 4567', '4001234567'],
    ['008613800138000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['(010) 8888-6666', '01088886666'],
    ['+86 10 8888 6666', '01088886666'],
    ['95555', '95555'],
    ['+1 415 555 0100', '+14155550100'],
    ['  1000 ', '1000'],
  ];
  for (const [written, stored] of cases) {
    t.same(parseNumberPattern(written), { pattern: stored, kind: 'exact', digits: stored }, written);
    // The same reduction a called number gets, or the route could never match it.
    t.equal(parseNumberPattern(written).pattern, nationalNumber(written), `${written} normalises like a called number`);
  }
});

t.test('prefixes keep their star and take the national form of their digits', async (t) => {
  const cases: Array<[string, string]> = [
    ['400*', '400*'],
    ['+86 400*', '400*'],
    ['+86400*', '400*'],
    ['0086 138*', '138*'],
    ['+86 755*', '0755*'],
    ['+86 10*', '010*'],
    ['+86 21 5*', '0215*'],
    ['0755*', '0755*'],
    ['0138*', '138*'],
    ['+86 4*', '4*'],
    ['+86 41*', '041*'],
    ['+1 415*', '+1415*'],
    ['1*', '1*'],
  ];
  for (const [written, stored] of cases) {
    t.same(parseNumberPattern(written), { pattern: stored, kind: 'prefix', digits: stored.slice(0, -1) }, written);
  }
  t.same(parseNumberPattern(' * '), { pattern: '*', kind: 'any', digits: '' });
});

t.test('what cannot be a route is refused with the way to write one', async (t) => {
  const refused: Array<[unknown, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['sales', /only digits/],
    ['400*123', /\* may only end a prefix/],
    ['4**', /\* may only end a prefix/],
    ['*400', /\* may only end a prefix/],
    ['+', /only digits/],
    ['+86*', /no digits/],
    ['sip:1000@example.com', /only digits/],
    ['1'.repeat(21), /more than 20 digits/],
    [42, /a pattern is text/],
  ];
  for (const [input, why] of refused) {
    t.throws(() => parseNumberPattern(input), { name: 'VapiError', code: 'VAPI_ERR_NUMBER_PATTERN', category: 'invalid_request', message: why, fix: /400\*.*\* for any number/ }, String(input));
  }
});
