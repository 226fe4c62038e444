import t from 'tap';
import { compileRules, findRule, type ScriptedRule } from '../src/index.js';

const matchIndex = (rules: ScriptedRule[], text: string) => findRule(compileRules(rules), text)?.rule.index;

t.test('regular expressions: case-insensitive, against the normalized message', async (t) => {
  const rules: ScriptedRule[] = [{ match: "\\bwhat's the weather\\b", reply: 'sunny' }];
  t.equal(matchIndex(rules, "WHAT'S THE WEATHER like?"), 0);
  t.equal(matchIndex(rules, 'what’s   the weather'), 0, 'curly apostrophe and extra spaces, as speech-to-text may write them');
  t.equal(matchIndex(rules, 'whatever'), undefined);
  t.equal(matchIndex([{ match: '天气(怎么样|如何)', reply: 'x' }], '今天天气怎么样？'), 0, 'Chinese patterns');
});

t.test('captures by number and by name, in their original case', async (t) => {
  const found = findRule(compileRules([{ match: 'my name is (?<name>\\w+) and I am (\\d+)', reply: 'x' }]), 'Hi, my name is Alice and I am 30.');
  t.same(found?.captures, { name: 'Alice', 0: 'my name is Alice and I am 30', 1: 'Alice', 2: '30' });
  const optional = findRule(compileRules([{ match: 'order( \\d+)?', reply: 'x' }]), 'my order');
  t.equal(optional?.captures[1], '', 'a group that did not take part is empty');
});

t.test('keywords: any of them; whole words in Latin text, anywhere in Chinese', async (t) => {
  const rules: ScriptedRule[] = [{ keywords: ['hi', 'thank you', 'ABC-1'], reply: 'x' }];
  t.equal(matchIndex(rules, 'Hi!'), 0);
  t.equal(matchIndex(rules, 'oh hi there'), 0);
  t.equal(matchIndex(rules, 'this is history'), undefined, '"hi" inside words does not count');
  t.equal(matchIndex(rules, 'Thank   You so much'), 0, 'case and spacing do not matter');
  t.equal(matchIndex(rules, 'code abc-1.'), 0, 'punctuation in a keyword');
  t.equal(matchIndex(rules, 'code abc-12'), undefined);
  t.equal(matchIndex(rules, 'hi-fi hi'), 0, 'a later occurrence is found');
  t.equal(matchIndex([{ keywords: ['人工'], reply: 'x' }], '我要转人工服务'), 0, 'Chinese keywords inside a sentence');
  t.equal(matchIndex([{ keywords: ['VIP'], reply: 'x' }], '我是VIP会员'), 0, 'a Latin keyword next to Chinese is a whole word');
});

t.test('the first matching rule wins; match or keywords, either will do', async (t) => {
  const rules: ScriptedRule[] = [
    { keywords: ['bye'], reply: 'first' },
    { match: 'hello', keywords: ['你好'], reply: 'second' },
    { keywords: ['hello', 'bye'], reply: 'third' },
  ];
  t.equal(matchIndex(rules, 'hello and bye'), 0);
  t.equal(matchIndex(rules, 'hello'), 1);
  t.equal(matchIndex(rules, '你好'), 1);
  t.same(findRule(compileRules(rules), '你好')?.captures, {}, 'keywords capture nothing');
});
