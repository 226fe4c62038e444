import { createCollectionRef } from '../refs.js';
import type { SttProvider } from './stt.js';
import type { LlmProvider } from './llm.js';
import type { TtsProvider } from './tts.js';
import type { RealtimeProvider } from './realtime.js';

export type * from './stt.js';
export type * from './llm.js';
export type * from './tts.js';
export type * from './realtime.js';

/**
 * Provider registries. A provider plugin adds its provider under its name:
 * `ctx.provide(providerRefs.stt, 'iflytek', new IflytekStt(options))`; assistants pick providers
 * by that name.
 */
export const providerRefs = {
  stt: createCollectionRef<SttProvider>('providers.stt'),
  llm: createCollectionRef<LlmProvider>('providers.llm'),
  tts: createCollectionRef<TtsProvider>('providers.tts'),
  realtime: createCollectionRef<RealtimeProvider>('providers.realtime'),
} as const;
