import t from 'tap';
import { escapeRedisGlob, isPattern, toRedisGlob, topicMatcher } from '../../src/bus/topic-pattern.js';

t.test('topicMatcher', async (tt) => {
  const cases: [pattern: string, topic: string, expected: boolean][] = [
    ['calls.started', 'calls.started', true],
    ['calls.started', 'calls.startedX', false],
    ['calls.started', 'calls-started', false],
    ['calls.*', 'calls.started', true],
    ['calls.*', 'calls.a.b.c', true],
    ['calls.*', 'calls.', true],
    ['calls.*', 'calls', false],
    ['calls.*', 'xcalls.started', false],
    ['*', '', true],
    ['*', 'anything.at.all', true],
    ['*.ended', 'calls.ended', true],
    ['*.ended', 'calls.ended.not', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'a-x-b-y-c', true],
    ['a*b*c', 'acb', false],
    ['a.b', 'axb', false],
    ['a?c', 'abc', false],
    ['a?c', 'a?c', true],
    ['[ab].*', 'a.x', false],
    ['[ab].*', '[ab].x', true],
    ['line*', 'line\nbreak', true],
    ['(x)+$', '(x)+$', true],
  ];
  for (const [pattern, topic, expected] of cases) {
    tt.equal(topicMatcher(pattern)(topic), expected, `${pattern} ~ ${JSON.stringify(topic)}`);
  }
});

t.test('isPattern', async (tt) => {
  tt.equal(isPattern('calls.*'), true);
  tt.equal(isPattern('calls.started'), false);
  tt.equal(isPattern('a?b'), false, 'only * makes a pattern');
});

t.test('Redis glob escaping', async (tt) => {
  tt.equal(escapeRedisGlob('a*b?c[d]e\\f'), 'a\\*b\\?c\\[d\\]e\\\\f');
  tt.equal(toRedisGlob('calls.*'), 'calls.*');
  tt.equal(toRedisGlob('a?[x]*\\'), 'a\\?\\[x\\]*\\\\');
});
