import t from 'tap';
import type { LlmEvent } from '@vapi-cn/sdk-plugin-api';
import { streamTokens } from '../src/index.js';
import { afterTool, collect, saying, scripted, textOf, toolCalls } from './helpers.js';

const ORDER_RULES = [
  { match: 'order (?:number )?(\\d+)', reply: 'Looking up order {{1}} for {{customer.name}}.', toolCall: { name: 'lookupOrder', arguments: { id: '{{1}}', who: { name: '{{customer.name}}' }, tags: ['{{1}}', 7] } }, afterTool: 'Order {{1}}: {{result}}' },
  { keywords: ['hang up'], toolCall: { name: 'endCall', arguments: {} } },
  { keywords: ['status'], reply: 'Checking.', toolCall: { name: 'lookupOrder', arguments: {} } },
  { keywords: ['hello'], reply: 'Hello {{name}}, it is {{time}} on {{date}}.{{missing}}' },
  { keywords: ['你好'], reply: '你好，{{name}}！现在{{hour}}点{{minute}}分。' },
  { keywords: ['vars'], reply: '{{count}} {{flag}} {{list}} {{nothing}}' },
];

t.test('streams a reply word by word, CJK character by character, then done', async (t) => {
  const { llm } = await scripted({ rules: [{ keywords: ['en'], reply: 'Hello there,  friend! ' }, { keywords: ['zh'], reply: '你好，我用Node.js开发。OK' }] });
  const en = await collect(llm, saying('en'));
  t.same(en, [
    { type: 'text-delta', text: 'Hello ' },
    { type: 'text-delta', text: 'there,  ' },
    { type: 'text-delta', text: 'friend! ' },
    { type: 'done', finishReason: 'stop' },
  ]);
  const zh = await collect(llm, saying('zh'));
  t.same(zh.map((e) => (e.type === 'text-delta' ? e.text : e.type)), ['你', '好', '，', '我', '用', 'Node.js', '开', '发', '。', 'OK', 'done']);
  t.same(streamTokens('  lead'), ['  ', 'lead'], 'leading whitespace is its own piece');
  t.same(streamTokens(''), []);
  const mixed = 'Hi 你好 there，こんにちは 안녕 end.';
  t.equal(streamTokens(mixed).join(''), mixed, 'the pieces join to the reply');
});

t.test('placeholders: variables, dotted paths, captures, time; unknown ones are empty', async (t) => {
  const { llm } = await scripted({ rules: ORDER_RULES, timeZone: 'Asia/Shanghai' });
  const variables = { name: 'Li', count: 3, flag: true, list: [1, 'a'], nothing: null, customer: { name: 'Wang' } };
  t.equal(textOf(await collect(llm, saying('hello', { extra: { variables } }))), 'Hello Li, it is 8:00 on 2026-01-01.');
  t.equal(textOf(await collect(llm, saying('你好', { extra: { variables } }))), '你好，Li！现在8点00分。');
  t.equal(textOf(await collect(llm, saying('vars', { extra: { variables } }))), '3 true [1,"a"] ');
  t.equal(textOf(await collect(llm, saying('hello'))), 'Hello , it is 8:00 on 2026-01-01.', 'no variables given');
  t.equal(textOf(await collect(llm, saying('hello', { extra: { variables: { time: 'teatime' } } }))), 'Hello , it is teatime on 2026-01-01.', 'variables win over the built-in time');
  t.equal(textOf(await collect(llm, saying('hello', { extra: { variables: 'junk' } }))), 'Hello , it is 8:00 on 2026-01-01.', 'malformed variables are ignored');
});

t.test('a tool call: reply text, then the complete call with filled arguments, then done(tool_calls)', async (t) => {
  const { llm } = await scripted({ rules: ORDER_RULES });
  const variables = { customer: { name: 'Wang' } };
  const events = await collect(llm, saying('Where is my order number 42?', { extra: { variables } }));
  t.equal(textOf(events), 'Looking up order 42 for Wang.');
  const types = events.map((e) => e.type);
  t.same(types.slice(-2), ['tool-call', 'done']);
  t.ok(types.slice(0, -2).every((type) => type === 'text-delta'), 'text first');
  const [call] = toolCalls(events);
  t.equal(call!.name, 'lookupOrder');
  t.same(JSON.parse(call!.arguments), { id: '42', who: { name: 'Wang' }, tags: ['42', 7] });
  t.match(call!.id, /^call_[0-9a-f-]{36}$/);
  t.same(events.at(-1), { type: 'done', finishReason: 'tool_calls' });

  const again = toolCalls(await collect(llm, saying('order 42')));
  t.not(again[0]!.id, call!.id, 'ids are unique per call');

  const hangUp = await collect(llm, saying('hang up'));
  t.same(hangUp.map((e) => e.type), ['tool-call', 'done'], 'a tool call without a reply');
  t.match(hangUp[0], { call: { name: 'endCall', arguments: '{}' } });
});

t.test('a tool the request does not offer is not called', async (t) => {
  const { llm } = await scripted({ rules: ORDER_RULES });
  for (const tools of [undefined, [], [{ name: 'endCall', description: '', parameters: {} }]]) {
    const events = await collect(llm, saying('order 42', { tools }));
    t.equal(textOf(events), 'Looking up order 42 for .');
    t.same(toolCalls(events), [], `tools: ${JSON.stringify(tools?.map((tool) => tool.name))}`);
    t.same(events.at(-1), { type: 'done', finishReason: 'stop' });
  }
});

t.test('after a tool result: the rule\'s afterTool, else an acknowledgement in the caller\'s language', async (t) => {
  const { llm } = await scripted({ rules: ORDER_RULES });
  const events = await collect(llm, afterTool('Where is order 42?', 'lookupOrder', 'shipped today'));
  t.equal(textOf(events), 'Order 42: shipped today');
  t.same(toolCalls(events), [], 'the tool is not called again');
  t.same(events.at(-1), { type: 'done', finishReason: 'stop' });
  t.equal(textOf(await collect(llm, afterTool('status please', 'lookupOrder', '{}'))), 'Done. Is there anything else I can help with?');
  t.equal(textOf(await collect(llm, afterTool('查一下status', 'lookupOrder', '{}'))), '好的，已经处理好了。还有什么可以帮您的吗？');
  t.equal(textOf(await collect(llm, afterTool('something else', 'lookupOrder', '{}'))), 'Done. Is there anything else I can help with?', 'no rule matches');
  const silent = await scripted({ rules: [{ keywords: ['bye'], reply: 'Bye!', toolCall: { name: 'endCall', arguments: {} }, afterTool: '' }] });
  t.same(await collect(silent.llm, afterTool('bye', 'endCall', 'ok')), [{ type: 'done', finishReason: 'stop' }], 'an empty afterTool says nothing');
});

t.test('greeting before the caller speaks, fallback when no rule matches', async (t) => {
  const configured = await scripted({ rules: ORDER_RULES, greeting: 'Welcome, {{name}}!', fallback: 'Pardon, {{name}}?' });
  const variables = { name: 'Li' };
  t.equal(textOf(await collect(configured.llm, { messages: [], extra: { variables } })), 'Welcome, Li!');
  t.equal(textOf(await collect(configured.llm, { messages: [{ role: 'system', content: 'be nice' }], extra: { variables } })), 'Welcome, Li!');
  t.equal(textOf(await collect(configured.llm, saying('gibberish', { extra: { variables } }))), 'Pardon, Li?');
  t.equal(textOf(await collect(configured.llm, saying('乱说', { extra: { variables } }))), 'Pardon, Li?', 'a configured fallback serves every language');
  const defaults = await scripted({ rules: ORDER_RULES });
  t.match(textOf(await collect(defaults.llm, { messages: [] })), /^您好.*Hello/);
  t.match(textOf(await collect(defaults.llm, saying('gibberish'))), /demo assistant.*llm-openai-compatible/);
  t.match(textOf(await collect(defaults.llm, saying('帮我订机票'))), /演示助手.*llm-openai-compatible/);
});

t.test('pacing: firstTokenMs before the first event, tokenIntervalMs between events, on the core clock', async (t) => {
  const { llm, clock } = await scripted({ rules: ORDER_RULES, firstTokenMs: 300, tokenIntervalMs: 50 });
  const at: Array<[string, number]> = []; // "Looking ", "up ", "order ", "7 ", "for ", "."
  const done = (async () => {
    for await (const event of llm.chat(saying('order 7'))) at.push([event.type, clock!.monotonic()]);
  })();
  await clock!.advance(1000);
  await done;
  t.same(at, [
    ['text-delta', 300],
    ['text-delta', 350],
    ['text-delta', 400],
    ['text-delta', 450],
    ['text-delta', 500],
    ['text-delta', 550],
    ['tool-call', 600],
    ['done', 600],
  ]);
});

t.test('abort: no events after it, and the stream ends at once', async (t) => {
  const { llm, clock } = await scripted({ rules: ORDER_RULES, firstTokenMs: 100, tokenIntervalMs: 50 });
  const controller = new AbortController();
  const events: LlmEvent[] = [];
  const iteration = (async () => {
    for await (const event of llm.chat(saying('order 7', { signal: controller.signal }))) events.push(event);
  })();
  await clock!.advance(160);
  t.same(events.map((e) => e.type), ['text-delta', 'text-delta'], 'mid-reply');
  controller.abort();
  await iteration; // no clock advance needed: the pending pause ends with the abort
  t.equal(events.length, 2, 'nothing after the abort');
  t.equal(clock!.pendingTimers, 0, 'no timer left behind');

  const early = new AbortController();
  const waiting = collect(llm, saying('order 7', { signal: early.signal }));
  await clock!.advance(50);
  early.abort();
  t.same(await waiting, [], 'aborted during firstTokenMs');
  t.same(await collect(llm, saying('order 7', { signal: AbortSignal.abort() })), [], 'already aborted');
});

t.test('abort without pauses, and a consumer that stops early', async (t) => {
  const { llm, clock } = await scripted({ rules: ORDER_RULES });
  const controller = new AbortController();
  const events: LlmEvent[] = [];
  for await (const event of llm.chat(saying('order 7', { signal: controller.signal }))) {
    events.push(event);
    controller.abort();
  }
  t.equal(events.length, 1, 'the abort is seen before the next event');
  for await (const _event of llm.chat(saying('order 7'))) break;
  t.equal(clock!.pendingTimers, 0);
});
