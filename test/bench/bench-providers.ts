/**
 * The benches' scripted providers (the testkit's fakes as a plugin): STT answers `sttText`, the
 * LLM `llmScript`; TTS speaks at 1.25x real time in 100 ms chunks, ~60 ms per character, so bot
 * audio stays ahead of playout without a real provider. The engine reads TTS only while under 3 s
 * is queued (BotVoice backpressure), so a long monologue does not pile up audio per call.
 * startWithBenchProviders() boots a bench's server with them.
 */
import type { Writable } from 'node:stream';
import { coreRefs, definePlugin, providerRefs } from '@vapi-cn/sdk-plugin-api';
import { Kernel, planBoot } from '@vapi-cn/core';
import { FakeLlmProvider, FakeSttProvider, FakeTtsProvider } from '@vapi-cn/sdk-plugin-api/testkit';

const TTS_MS_PER_CHAR = 60;

export interface BenchProviders {
  sttText: string;
  llmScript: string[];
  /** TTS rates, the preferred first. */
  ttsRates: number[];
}

export function benchProviders({ sttText, llmScript, ttsRates }: BenchProviders) {
  return definePlugin({
    id: 'bench-fixtures',
    version: '1.0.0',
    apiVersion: '^1.0.0',
    provides: [providerRefs.stt, providerRefs.llm, providerRefs.tts],
    requires: { clock: coreRefs.clock },
    setup(ctx) {
      const clock = ctx.deps.clock;
      ctx.provide(providerRefs.stt, 'fake', new FakeSttProvider({ name: 'fake', clock, finalLatencyMs: 150, script: () => sttText }));
      ctx.provide(providerRefs.llm, 'fake', new FakeLlmProvider({ name: 'fake', clock, firstTokenMs: 250, script: llmScript }));
      ctx.provide(
        providerRefs.tts,
        'fake',
        new FakeTtsProvider({ name: 'fake', clock, firstAudioMs: 120, realTimeFactor: 0.8, msPerChar: TTS_MS_PER_CHAR, frameMs: 100, sampleRates: ttsRates }),
      );
    },
  });
}

/** Text the bench TTS speaks for at least `seconds` (~4 s a sentence). */
export function longSpeech(seconds: number, what: string): string {
  const sentence = (n: number) => `This is sentence number ${n} of a long ${what}, and the bot goes on talking.`;
  const perSentenceMs = sentence(10).replace(/\s/g, '').length * TTS_MS_PER_CHAR;
  return Array.from({ length: Math.ceil((seconds * 1000) / perSentenceMs) }, (_, i) => sentence(i + 1)).join(' ');
}

/** Boots the server of `config` with the bench providers added as one more plugin. */
export async function startWithBenchProviders(config: Parameters<typeof planBoot>[0], providers: ReturnType<typeof benchProviders>, logDestination: Writable): Promise<Kernel> {
  const plan = await planBoot(config);
  plan.plugins.push({ id: 'bench-fixtures', plugin: providers, origin: 'path', entry: import.meta.url, options: {}, timeouts: { setupMs: 10000, startMs: 10000, stopMs: 10000 } });
  return Kernel.start(plan, { logDestination, defaultMetrics: false });
}
