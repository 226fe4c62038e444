import t from 'tap';
import { afterTool, collect, saying, scripted, textOf, toolCalls } from './helpers.js';

// The virtual clock starts at 2026-01-01T00:00Z, which is 8:00 in Shanghai.
const CONVERSATIONS: Array<[said: string, reply: RegExp, tool?: string]> = [
  ['Hello there', /^Hello! I'm a demo assistant\./],
  ['hey', /^Hello!/],
  ['Hi, what time is it?', /^It's 8:00 right now\.$/],
  ["What's the time", /^It's 8:00/],
  ['Who are you?', /^I'm a demo voice assistant running on VAPI-CN\./],
  ['Are you a real person?', /^I'm a demo voice assistant/],
  ['Can I talk to a human, please?', /^Sure, I'll transfer you to a human agent now\.$/, 'transferCall'],
  ['Thank you so much', /^You're welcome!/],
  ['OK thanks, bye!', /^Goodbye, and thanks for calling!$/, 'endCall'],
  ['this is nothing', /^Sorry, I'm only a demo assistant.*enable an LLM plugin such as llm-openai-compatible with your API key/],
  ['你好', /^你好！我是演示助手。/],
  ['喂，您好', /^你好！/],
  ['现在几点了？', /^现在是8点00分。$/],
  ['你是谁呀', /^我是运行在 VAPI-CN 上的演示语音助手/],
  ['你是机器人吗', /^我是运行在/],
  ['我要转人工', /^好的，正在为您转接人工客服。$/, 'transferCall'],
  ['谢谢你', /^不客气！/],
  ['好的，谢谢，再见', /^好的，再见，感谢您的来电！$/, 'endCall'],
  ['帮我订一张机票', /^抱歉，我只是一个演示助手.*llm-openai-compatible/],
];

t.test('the built-in demo assistant, in English and Chinese', async (t) => {
  const { llm } = await scripted({ timeZone: 'Asia/Shanghai' });
  for (const [said, reply, tool] of CONVERSATIONS) {
    const events = await collect(llm, saying(said));
    t.match(textOf(events), reply, said);
    t.same(toolCalls(events).map((call) => [call.name, call.arguments]), tool ? [[tool, '{}']] : [], `${said}: ${tool ?? 'no tool'}`);
    t.same(events.at(-1), { type: 'done', finishReason: tool ? 'tool_calls' : 'stop' });
  }
});

t.test('after ending or transferring the call, it says nothing more', async (t) => {
  const { llm } = await scripted();
  t.same(await collect(llm, afterTool('bye', 'endCall', 'ok')), [{ type: 'done', finishReason: 'stop' }]);
  t.same(await collect(llm, afterTool('转人工', 'transferCall', 'ok')), [{ type: 'done', finishReason: 'stop' }]);
});

t.test('the greeting before the caller speaks is bilingual', async (t) => {
  const { llm } = await scripted();
  t.equal(textOf(await collect(llm, { messages: [] })), '您好，我是 VAPI-CN 演示助手。Hello, this is the VAPI-CN demo assistant. How can I help?');
});
