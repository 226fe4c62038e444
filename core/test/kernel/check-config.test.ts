/**
 * `vapi-cn check-config` rejects each class of bad config with its own message, naming the config
 * path or plugin and the fix, and accepts a good one.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { FIXTURE_PLUGINS } from '../helpers.js';

const fixture = (id: string) => path.join(FIXTURE_PLUGINS, id);

async function check(yaml: string, env: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vapi-check-'));
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, yaml);
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(['check-config', file], { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.env = saved;
  }
}

t.test('a valid config passes and shows the start order', async (t) => {
  const r = await check(`plugins:\n  greeter-user: { from: ${fixture('greeter-user')} }\n  greeter: { from: ${fixture('greeter')}, options: { greeting: hi } }\n`);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /valid: 2 plugins \(start order: greeter, greeter-user\)/);
});

t.test('unknown plugin id', async (t) => {
  const r = await check('plugins:\n  stt-nonexistent: {}\n');
  t.equal(r.code, 1);
  t.match(r.err, /plugins\.stt-nonexistent: no built-in plugin 'stt-nonexistent' \[VAPI_ERR_PLUGIN_NOT_FOUND\]/);
  t.match(r.err, /fix: .*vapi-cn plugins/);
});

t.test('plugin path that does not exist', async (t) => {
  const r = await check('plugins:\n  acme: { from: ./nowhere }\n');
  t.equal(r.code, 1);
  t.match(r.err, /plugins\.acme\.from: no file or folder at .*nowhere \[VAPI_ERR_PLUGIN_NOT_FOUND\]/);
});

t.test('npm package that is not installed', async (t) => {
  const r = await check('plugins:\n  acme: { from: "@acme/not-installed" }\n');
  t.equal(r.code, 1);
  t.match(r.err, /npm package '@acme\/not-installed' is not installed/);
  t.match(r.err, /fix: run `npm install @acme\/not-installed`/);
});

t.test('bad apiVersion', async (t) => {
  const r = await check(`plugins:\n  future-api: { from: ${fixture('future-api')} }\n`);
  t.equal(r.code, 1);
  t.match(r.err, /plugins\.future-api: was built for sdk-plugin-api \^2\.0\.0, but this server provides 1\.0\.0 \[VAPI_ERR_PLUGIN_API_VERSION\]/);
  t.match(r.err, /fix: install a version of 'future-api' built for sdk-plugin-api \^1/);
});

t.test('missing required ref', async (t) => {
  const r = await check(`plugins:\n  needs-missing: { from: ${fixture('needs-missing')} }\n`);
  t.equal(r.code, 1);
  t.match(r.err, /plugins\.needs-missing: requires 'test\.absent' \(as absent\), which no enabled plugin provides \[VAPI_ERR_PLUGIN_MISSING_REF\]/);
  t.match(r.err, /fix: enable a plugin that provides 'test\.absent', or disable 'needs-missing'/);
});

t.test('cycle', async (t) => {
  const r = await check(`plugins:\n  cycle-a: { from: ${fixture('cycle-a')} }\n  cycle-b: { from: ${fixture('cycle-b')} }\n`);
  t.equal(r.code, 1);
  t.match(r.err, /cycle: cycle-a → cycle-b → cycle-a \[VAPI_ERR_PLUGIN_CYCLE\]/);
  t.match(r.err, /fix: break the cycle/);
});

t.test('option of the wrong type', async (t) => {
  const r = await check(`plugins:\n  greeter: { from: ${fixture('greeter')}, options: { times: many } }\n`);
  t.equal(r.code, 1);
  t.match(r.err, /plugins\.greeter\.options\.times: must be an integer, got "many" \[VAPI_ERR_CONFIG_TYPE\]/);
  t.match(r.err, /fix: set plugins\.greeter\.options\.times to an integer/);
});

t.test('unset env var', async (t) => {
  delete process.env.VAPI_TEST_UNSET_VAR;
  const r = await check('server:\n  port: ${env:VAPI_TEST_UNSET_VAR}\n');
  t.equal(r.code, 1);
  t.match(r.err, /server\.port: environment variable VAPI_TEST_UNSET_VAR is not set \[VAPI_ERR_CONFIG_ENV_UNSET\]/);
  t.match(r.err, /fix: export VAPI_TEST_UNSET_VAR=<value>/);
});

t.test('unknown keys, at top level and in plugin options', async (t) => {
  const r = await check(`sever: {}\nplugins:\n  greeter: { from: ${fixture('greeter')}, options: { greting: hi } }\n`);
  t.equal(r.code, 1);
  t.match(r.err, /sever: unknown key 'sever' \[VAPI_ERR_CONFIG_UNKNOWN_KEY\]\n    fix: did you mean 'server'\?/);
  t.match(r.err, /plugins\.greeter\.options\.greting: unknown key 'greting' \[VAPI_ERR_CONFIG_UNKNOWN_KEY\]\n    fix: did you mean 'greeting'\?/);
});

t.test('a module that is not a plugin', async (t) => {
  const r = await check(`plugins:\n  not-a-plugin: { from: ${fixture('not-a-plugin')} }\n`);
  t.equal(r.code, 1);
  t.match(r.err, /does not export a plugin \[VAPI_ERR_PLUGIN_INVALID\]/);
});

t.test('a config key that differs from the plugin id', async (t) => {
  const r = await check(`plugins:\n  hello: { from: ${fixture('greeter')} }\n`);
  t.equal(r.code, 1);
  t.match(r.err, /is plugin 'greeter', not 'hello' \[VAPI_ERR_PLUGIN_ID_MISMATCH\]/);
});

t.test('every problem is reported in one run, with no stack trace', async (t) => {
  const r = await check(`server: { port: x }\nplugins:\n  nope: {}\n  future-api: { from: ${fixture('future-api')} }\n`);
  t.equal(r.code, 1);
  t.match(r.err, /3 problems/);
  t.notMatch(r.err, /    at /, 'no stack frames');
});

t.test('usage errors exit 2', async (t) => {
  const err: string[] = [];
  t.equal(await main(['check-config'], { out: () => {}, err: (s) => err.push(s) }), 2);
  t.equal(await main(['frobnicate'], { out: () => {}, err: (s) => err.push(s) }), 2);
  t.match(err.join('\n'), /unknown command 'frobnicate'/);
});
