/**
 * llm-scripted: the `scripted` LLM, a rule-based dialogue that needs no API key, so the embedded
 * default server can hold a conversation out of the box. Rules map what the caller says (a regular
 * expression or keywords) to a reply and optionally a tool call (endCall, transferCall...); without
 * configured rules it is a small English and Chinese demo assistant (default-rules.ts).
 */
import { coreRefs, definePlugin, providerRefs } from '@vapi-cn/sdk-plugin-api';
import { DEFAULT_RULES } from './default-rules.js';
import { Dialogue } from './dialogue.js';
import { ScriptedOptions } from './options.js';
import { realTime } from './real-time.js';
import { compileRules } from './rules.js';
import { ScriptedLlm } from './scripted-llm.js';

export { ScriptedLlm, type ScriptedLlmSettings } from './scripted-llm.js';
export { Dialogue, type DialogueSettings, type Reply } from './dialogue.js';
export { compileRules, findRule, type CompiledRule, type RuleMatch } from './rules.js';
export { DEFAULT_RULES } from './default-rules.js';
export { ScriptedOptions, ScriptedRule, ScriptedToolCall } from './options.js';
export { streamTokens } from './tokens.js';
export type { Timing } from './real-time.js';

export default definePlugin({
  id: 'llm-scripted',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Rule-based dialogue (patterns to replies and tool calls) that needs no API key',
  configSchema: ScriptedOptions,
  provides: [providerRefs.llm],
  optional: { clock: coreRefs.clock },
  setup(ctx, options) {
    const rules = compileRules(options.rules ?? DEFAULT_RULES);
    const dialogue = new Dialogue({ rules, fallback: options.fallback, greeting: options.greeting, timeZone: options.timeZone });
    const time = ctx.optionalDeps.clock ?? realTime;
    ctx.provide(providerRefs.llm, 'scripted', new ScriptedLlm({ dialogue, firstTokenMs: options.firstTokenMs, tokenIntervalMs: options.tokenIntervalMs, time }));
    ctx.log.info({ rules: rules.length, builtInRules: options.rules === undefined }, 'scripted LLM ready');
  },
});
