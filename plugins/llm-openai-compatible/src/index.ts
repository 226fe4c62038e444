/**
 * llm-openai-compatible: streaming chat completions with tool calls from any OpenAI-compatible
 * API (OpenAI, DeepSeek, Qwen, GLM, Kimi, StepFun, Ollama, vLLM). Each entry of `providers`
 * becomes an LlmProvider under its key in `providerRefs.llm`.
 */
import { definePlugin, providerRefs } from '@vapi-cn/sdk-plugin-api';
import { OpenAiCompatibleLlm } from './openai-compatible-llm.js';
import { Options } from './options.js';
import { resolveProviderConfig } from './provider-config.js';

export { OpenAiCompatibleLlm } from './openai-compatible-llm.js';
export { PRESETS, type Preset, type PresetName } from './presets.js';
export type { ProviderConfig } from './provider-config.js';
export type { Options, ProviderOptions } from './options.js';

export default definePlugin({
  id: 'llm-openai-compatible',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'OpenAI-compatible chat completions (SSE, tool calls): OpenAI, DeepSeek, Qwen, GLM, Kimi, StepFun, Ollama, vLLM',
  configSchema: Options,
  provides: [providerRefs.llm],
  setup(ctx, options) {
    // Resolve every entry first, so one incomplete provider fails the boot before any registers.
    const configs = Object.entries(options.providers).map(([name, provider]) => resolveProviderConfig(name, provider));
    for (const config of configs) {
      ctx.provide(providerRefs.llm, config.name, new OpenAiCompatibleLlm(config, ctx.log.child({ provider: config.name })));
    }
    ctx.log.info({ providers: configs.map((c) => ({ name: c.name, host: new URL(c.url).host, model: c.model })) }, 'LLM providers ready');
  },
});
