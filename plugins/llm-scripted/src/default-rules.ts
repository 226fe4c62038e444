/**
 * The demo assistant used when no `rules` are configured: English and Chinese, a few intents, and
 * the two call-control tools. Order matters, as the first match wins: "thanks, bye" must end the
 * call, "are you a real person?" must not transfer it, and "hi, what time is it?" must tell the time.
 */
import type { ScriptedRule } from './options.js';

const END_CALL = { name: 'endCall', arguments: {} };
const TRANSFER_CALL = { name: 'transferCall', arguments: {} };

export const DEFAULT_RULES: readonly ScriptedRule[] = [
  {
    keywords: ['bye', 'goodbye', 'good bye', 'bye bye', 'see you later'],
    reply: 'Goodbye, and thanks for calling!',
    toolCall: END_CALL,
    afterTool: '',
  },
  { keywords: ['再见', '拜拜', '挂了吧', '先这样吧'], reply: '好的，再见，感谢您的来电！', toolCall: END_CALL, afterTool: '' },
  {
    match: "\\bwho (are|r) you\\b|\\byour name\\b|\\bwhat are you\\b|\\bare you (a |an )?(real|human|robot|bot|ai|person)\\b",
    reply: "I'm a demo voice assistant running on VAPI-CN. I answer from a few scripted rules, not a language model.",
  },
  {
    keywords: ['你是谁', '你叫什么', '你的名字', '机器人', '人工智能', '你是真人'],
    reply: '我是运行在 VAPI-CN 上的演示语音助手，用几条预设的规则回答，不是大模型。',
  },
  {
    keywords: ['human', 'agent', 'operator', 'representative', 'real person', 'someone else'],
    reply: "Sure, I'll transfer you to a human agent now.",
    toolCall: TRANSFER_CALL,
    afterTool: '',
  },
  { keywords: ['人工', '客服', '真人', '转接'], reply: '好的，正在为您转接人工客服。', toolCall: TRANSFER_CALL, afterTool: '' },
  { match: "\\bwhat time\\b|\\bwhat's the time\\b|\\btime is it\\b|\\bcurrent time\\b", reply: "It's {{time}} right now." },
  { keywords: ['几点', '现在时间', '什么时间', '多少点'], reply: '现在是{{hour}}点{{minute}}分。' },
  {
    keywords: ['thank you', 'thanks', 'thank u', 'appreciate it', 'cheers'],
    reply: "You're welcome! Is there anything else I can help with?",
  },
  { keywords: ['谢谢', '多谢', '感谢', '谢啦'], reply: '不客气！还有什么可以帮您的吗？' },
  {
    keywords: ['hello', 'hi', 'hey', 'good morning', 'good afternoon', 'good evening'],
    reply: "Hello! I'm a demo assistant. You can ask me what time it is, or say goodbye to hang up.",
  },
  {
    keywords: ['你好', '您好', '嗨', '哈喽', '喂', '早上好', '下午好', '晚上好'],
    reply: '你好！我是演示助手。你可以问我现在几点，或者说再见结束通话。',
  },
];

/** Replies with no rule behind them, by the language the caller spoke. */
export const DEFAULT_TEXTS = {
  fallback: {
    en: "Sorry, I'm only a demo assistant with a few scripted replies. For real conversations, enable an LLM plugin such as llm-openai-compatible with your API key and select it for the assistant.",
    zh: '抱歉，我只是一个演示助手，只会几句预设的回答。要真正对话，请启用大模型插件，例如 llm-openai-compatible，填入你的 API 密钥，并在助手配置里选用它。',
  },
  /** After a tool result when the rule has no afterTool. */
  acknowledgement: {
    en: 'Done. Is there anything else I can help with?',
    zh: '好的，已经处理好了。还有什么可以帮您的吗？',
  },
  /** Before the caller has said anything; the language is not known yet. */
  greeting: '您好，我是 VAPI-CN 演示助手。Hello, this is the VAPI-CN demo assistant. How can I help?',
} as const;
