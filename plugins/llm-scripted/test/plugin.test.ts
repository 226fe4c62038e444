import t from 'tap';
import { providerRefs } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';
import { collect, saying, scripted, textOf } from './helpers.js';

t.test('registers the scripted LLM, with the built-in rules by default', async (t) => {
  const { llm, harness } = await scripted();
  const registry = harness.registry(providerRefs.llm);
  t.same(registry.keys(), ['scripted']);
  t.equal(registry.providerOf('scripted'), 'llm-scripted');
  t.equal(llm.name, 'scripted');
  t.same(llm.capabilities, { tools: true, models: [] });
  t.same(harness.options, { tokenIntervalMs: 0, firstTokenMs: 0 });
  t.match(harness.logs, [{ level: 'info', msg: 'scripted LLM ready', obj: { rules: 12, builtInRules: true } }]);
});

t.test('configured rules replace the built-in ones', async (t) => {
  const { llm, harness } = await scripted({ rules: [{ keywords: ['ping'], reply: 'pong' }], fallback: 'no idea' });
  t.match(harness.logs, [{ obj: { rules: 1, builtInRules: false } }]);
  t.equal(textOf(await collect(llm, saying('ping'))), 'pong');
  t.equal(textOf(await collect(llm, saying('hello'))), 'no idea', 'the built-in greeting rule is gone');
});

t.test('an invalid regular expression fails setup, naming the rule and the fix', async (t) => {
  const rules = [{ keywords: ['ok'], reply: 'fine' }, { match: 'order (\\d+', reply: 'x' }];
  await t.rejects(scripted({ rules }), {
    code: 'VAPI_ERR_LLM_SCRIPTED_REGEX',
    category: 'invalid_request',
    message: /^plugins\.llm-scripted\.options\.rules\[1\]\.match is not a valid regular expression: \/order \(\\d\+\/i: Unterminated group$/,
    details: { rule: 1, match: 'order (\\d+' },
    fix: /rule 1 .*single-quote.*keywords/,
  });
});

t.test('rules that could never apply or would do nothing fail setup', async (t) => {
  await t.rejects(scripted({ rules: [{ reply: 'hi' }] }), {
    code: 'VAPI_ERR_LLM_SCRIPTED_OPTIONS',
    message: /rules\[0\] has neither match nor keywords/,
    details: { rule: 0 },
    fix: /add match .* or keywords/,
  });
  await t.rejects(scripted({ rules: [{ keywords: ['a'], reply: 'b' }, { keywords: ['hi'] }] }), {
    code: 'VAPI_ERR_LLM_SCRIPTED_OPTIONS',
    message: /rules\[1\] has neither reply nor toolCall/,
    fix: /add reply/,
  });
  await t.rejects(scripted({ timeZone: 'Mars/Olympus' }), {
    code: 'VAPI_ERR_LLM_SCRIPTED_OPTIONS',
    message: /unknown time zone 'Mars\/Olympus'/,
    fix: /Asia\/Shanghai/,
  });
});

t.test('options are checked against the schema', async (t) => {
  await t.rejects(setupPlugin(plugin, { options: { tokenIntervalMs: -1 } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
  await t.rejects(setupPlugin(plugin, { options: { rules: [{ keywords: [], reply: 'x' }] } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
  await t.rejects(setupPlugin(plugin, { options: { rules: [{ keyword: 'x', reply: 'y' }] } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
  await t.rejects(setupPlugin(plugin, { options: { greting: 'hi' } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
});

t.test('without a core clock, real timers pace the stream', async (t) => {
  const { llm } = await scripted({ rules: [{ keywords: ['go'], reply: 'one two three' }], tokenIntervalMs: 20 }, null);
  const started = performance.now();
  t.equal(textOf(await collect(llm, saying('go'))), 'one two three');
  t.ok(performance.now() - started >= 35, 'two pauses of 20 ms');
});
