/**
 * Known OpenAI-compatible vendors: where their chat-completions API lives (protocols.md §3.2),
 * which model to use when the config names none, and whether they need an API key.
 */

export interface Preset {
  /** Base URL; the plugin appends `/chat/completions`. */
  readonly baseUrl: string;
  /** Default model: a fast, inexpensive one suited to voice turns. Absent where the server decides. */
  readonly model?: string;
  /** Hosted services refuse anonymous requests; local servers (Ollama, vLLM) usually take none. */
  readonly needsApiKey: boolean;
}

/** The presets by name (the `preset` option). */
export const PRESETS = {
  openai: { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', needsApiKey: true },
  deepseek: { baseUrl: 'https://api.deepseek.com/v1', model: 'deepseek-chat', needsApiKey: true },
  qwen: { baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', model: 'qwen-plus', needsApiKey: true },
  glm: { baseUrl: 'https://open.bigmodel.cn/api/paas/v4', model: 'glm-4-flash', needsApiKey: true },
  kimi: { baseUrl: 'https://api.moonshot.cn/v1', model: 'moonshot-v1-8k', needsApiKey: true },
  stepfun: { baseUrl: 'https://api.stepfun.com/v1', model: 'step-1-8k', needsApiKey: true },
  // The model is whatever was pulled (Ollama) or served (vLLM): no sensible default.
  ollama: { baseUrl: 'http://127.0.0.1:11434/v1', needsApiKey: false },
  vllm: { baseUrl: 'http://127.0.0.1:8000/v1', needsApiKey: false },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

/** Every preset name, for the options schema. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
