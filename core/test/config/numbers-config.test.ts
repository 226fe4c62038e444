/**
 * `numbers:` in the config file: patterns normalised as the API does, problems reported by path
 * (by resolveConfig and by `vapi-cn check-config`), and YAML keys kept as written.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { loadConfigFile, resolveConfig } from '../../src/config/load-config.js';
import { FIXTURES, testConfig } from '../helpers.js';

const resolve = (numbers: unknown, extra: Record<string, unknown> = {}) => resolveConfig(testConfig({ numbers, ...extra }), FIXTURES, '<test>', { env: {} });

async function configFile(yaml: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vapi-numbers-'));
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, yaml);
  return file;
}

t.test('routes are normalised; the assistant is any id, not only one of assistants:', async (t) => {
  const { problems, numbers } = resolve({ '+86 400-123-4567': 'sales', '400*': 'support', '*': 'api-made.assistant', '+86 755*': 'shenzhen' }, { assistants: { sales: {} } });
  t.same(problems, []);
  t.same(
    numbers.map((n) => [n.pattern.pattern, n.assistantId]),
    [['4001234567', 'sales'], ['400*', 'support'], ['*', 'api-made.assistant'], ['0755*', 'shenzhen']],
  );
  t.same(resolve(undefined).numbers, [], 'numbers: is optional');
});

t.test('problems name the route by its path and say how to fix it', async (t) => {
  const { problems } = resolve({ '400*123': 'sales', sales: 'x', '4001234567': 'a', '400-123-4567': 'b', '800*': 'not an id!', '900*': 42, '95555': '' });
  t.match(problems, [
    { code: 'VAPI_ERR_CONFIG_VALUE', path: 'numbers["95555"]' },
    { code: 'VAPI_ERR_NUMBER_PATTERN', path: 'numbers["400*123"]', message: /\* may only end a prefix/, fix: /prefix ending in \*/ },
    { code: 'VAPI_ERR_NUMBER_PATTERN', path: 'numbers.sales', message: /only digits/ },
    { code: 'VAPI_ERR_CONFIG_VALUE', path: 'numbers["400-123-4567"]', message: /the same route as numbers\["4001234567"\]/, fix: /keep one/ },
    { code: 'VAPI_ERR_CONFIG_VALUE', path: 'numbers["800*"]', message: /'not an id!' is not an assistant id/ },
  ]);
  t.equal(problems.length, 5, 'a number as assistant id is taken as its text; everything else is reported once');
});

t.test('unquoted YAML keys keep their leading 0 (a landline), unlike a plain YAML integer', async (t) => {
  const file = await configFile('store: { dataDir: "memory://" }\nnumbers:\n  02155556666: shanghai\n  4001234567: sales\n  0755*: shenzhen\n  "*": reception\n');
  const config = await loadConfigFile(file, { env: {} });
  t.same(config.problems, []);
  t.same(config.numbers.map((n) => n.pattern.pattern).sort(), ['*', '02155556666', '0755*', '4001234567']);
});

t.test('check-config reports number problems with the rest, and passes good routes', async (t) => {
  const run = async (yaml: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['check-config', await configFile(yaml)], { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const bad = await run('numbers:\n  "400*123": sales\n  +86 400-123-4567: sales\n  4001234567: support\nserver: { prot: 1 }\n');
  t.equal(bad.code, 1);
  t.match(bad.err, /3 problems in the configuration/);
  t.match(bad.err, /numbers\["400\*123"\]: '400\*123' is not a number pattern: \* may only end a prefix \[VAPI_ERR_NUMBER_PATTERN\]\n\s+fix: write an exact number/);
  // Which of the two is named first follows JavaScript's key order, not the file's.
  t.match(bad.err, /numbers\["(4001234567|\+86 400-123-4567)"\]: the same route as numbers\["(\+86 400-123-4567|4001234567)"\]: both are '4001234567'/);
  t.match(bad.err, /server\.prot/);

  const good = await run('store: { dataDir: "memory://" }\nnumbers:\n  4001234567: sales\n  "*": reception\n');
  t.equal(good.code, 0, good.err);
});
