import t from 'tap';
import { substituteEnv } from '../../src/config/env-substitution.js';
import type { ConfigProblem } from '../../src/config/problems.js';

const run = (value: unknown, env: Record<string, string | undefined>) => {
  const problems: ConfigProblem[] = [];
  return { value: substituteEnv(value, env, problems), problems };
};

t.test('replaces references anywhere in nested values', async (t) => {
  const { value, problems } = run({ a: { b: ['x-${env:FOO}-y', '${env:BAR}'] }, c: 5 }, { FOO: 'foo', BAR: 'bar' });
  t.same(value, { a: { b: ['x-foo-y', 'bar'] }, c: 5 });
  t.same(problems, []);
});

t.test('defaults apply when unset or empty, as in the shell', async (t) => {
  t.same(run('${env:P:-3000}', {}).value, '3000');
  t.same(run('${env:P:-3000}', { P: '' }).value, '3000');
  t.same(run('${env:P:-3000}', { P: '8080' }).value, '8080');
  t.same(run('${env:P:-}', {}).value, '');
  t.same(run('${env:P}', { P: '' }).value, '', 'an empty but set variable without default is used as is');
});

t.test('an unset variable without default is a problem naming the path and the fix', async (t) => {
  const { problems } = run({ server: { port: '${env:MY_PORT}' } }, {});
  t.equal(problems.length, 1);
  t.match(problems[0], { code: 'VAPI_ERR_CONFIG_ENV_UNSET', path: 'server.port', message: /MY_PORT is not set/, fix: /export MY_PORT=.*\$\{env:MY_PORT:-/ });
});

t.test('$${env:X} is a literal', async (t) => {
  t.same(run('$${env:X}', {}).value, '${env:X}');
});

t.test('malformed references are reported, not silently kept', async (t) => {
  const { problems } = run({ a: '${env:1BAD}' }, {});
  t.match(problems, [{ code: 'VAPI_ERR_CONFIG_ENV_SYNTAX', path: 'a' }]);
});

t.test('an environment value cannot inject structure', async (t) => {
  const { value } = run({ a: '${env:EVIL}' }, { EVIL: 'x\nb: 1' });
  t.same(value, { a: 'x\nb: 1' });
});
