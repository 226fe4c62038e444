/** Shared by the tts-espeak tests: the provider through the testkit harness, and audio collection. */
import type { Test } from 'tap';
import { concatPcm, providerRefs, type AudioFrame, type TtsOptions, type TtsProvider } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

export const ENGLISH = 'Hello, thank you for calling. How can I help you today?';
export const MANDARIN = '您好，欢迎致电客户服务中心。';

/** The `espeak` provider as the server sets it up; its workers stop when the test ends. */
export async function espeak(t: Test, options: Record<string, unknown> = {}): Promise<TtsProvider> {
  const harness = await setupPlugin(plugin, { options });
  t.teardown(() => harness.stop());
  return harness.registry(providerRefs.tts).get('espeak')!;
}

/** Every frame of one synthesis. */
export async function frames(tts: TtsProvider, text: string, options: Partial<TtsOptions> = {}): Promise<AudioFrame[]> {
  const out: AudioFrame[] = [];
  for await (const frame of tts.synthesize(text, { sampleRate: 22050, ...options })) out.push(frame);
  return out;
}

/** One synthesis as a single PCM16 buffer. */
export async function speak(tts: TtsProvider, text: string, options: Partial<TtsOptions> = {}): Promise<Int16Array> {
  return concatPcm((await frames(tts, text, options)).map((f) => f.samples));
}

/** Duration of PCM16 at 22.05 kHz, in seconds. */
export function seconds(samples: Int16Array): number {
  return samples.length / 22050;
}

/**
 * Same text, same voice and speed: eSpeak adds random jitter, so two renderings differ in samples
 * and by a few ms in length, but not by more than 3%.
 */
export function sameRendering(a: Int16Array, b: Int16Array): boolean {
  return Math.abs(a.length - b.length) <= 0.03 * Math.max(a.length, b.length);
}
