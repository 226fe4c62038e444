/**
 * Shared by the stt-pocketsphinx tests: the provider through the testkit harness, and the local
 * loop's speech, synthesized by the tts-espeak plugin and resampled to 16 kHz by the speex one.
 */
import type { Test } from 'tap';
import { audioFrame, providerRefs, stageRefs, type SttStream, type TranscriptFrame } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin, type PluginHarness } from '@vapi-cn/sdk-plugin-api/testkit';
import ttsPlugin from '../../tts-espeak/src/index.js';
import speexPlugin from '../../stage-resample-speex/src/index.js';
import plugin, { type PocketsphinxStt } from '../src/index.js';

/** Phrases a call-centre menu might listen for, and a grammar that accepts exactly them. */
export const PHRASES = [
  'check my order status',
  'i want to speak to an agent',
  'cancel my subscription',
  'what time do you open',
  'yes please',
  'no thank you',
  'transfer me to billing',
];
export const GRAMMAR = `#JSGF V1.0;\ngrammar menu;\npublic <phrase> = ${PHRASES.join(' | ')};\n`;

/** The plugin set up and started, stopped when the test ends. */
export async function pocketsphinx(t: Test, options: Record<string, unknown> = { grammar: GRAMMAR }, baseDir?: string): Promise<{ stt: PocketsphinxStt; harness: PluginHarness }> {
  const harness = await setupPlugin(plugin, { options, ...(baseDir ? { baseDir } : {}) });
  t.teardown(() => harness.stop());
  await harness.start();
  return { stt: harness.registry(providerRefs.stt).get('pocketsphinx') as PocketsphinxStt, harness };
}

let voices: Promise<(text: string) => Promise<Int16Array[]>> | undefined;

/** `text` spoken by eSpeak as 20 ms frames at 16 kHz (the plugins load once per test file). */
export async function speech(text: string): Promise<Int16Array[]> {
  voices ??= (async () => {
    const tts = await setupPlugin(ttsPlugin);
    const speex = await setupPlugin(speexPlugin);
    const espeak = tts.registry(providerRefs.tts).get('espeak')!;
    const resamplers = speex.registry(stageRefs.resamplers).get('speex')!;
    return async (text: string) => {
      const resampler = resamplers.create({ inputRate: 22050, outputRate: 16000 });
      const frames: Int16Array[] = [];
      for await (const frame of espeak.synthesize(text, { sampleRate: 22050 })) {
        const out = resampler.process(frame);
        if (out) frames.push(out.samples.slice());
      }
      resampler.close();
      return frames;
    };
  })();
  return (await voices)(text);
}

/** 20 ms frames of silence. */
export function silence(ms: number): Int16Array[] {
  return Array.from({ length: ms / 20 }, () => new Int16Array(320));
}

/** Writes the frames (as fast as it can), ends the stream and collects what it yields. */
export async function transcribe(stream: SttStream, frames: Int16Array[]): Promise<{ results: TranscriptFrame[]; endToFinalMs: number }> {
  const results: TranscriptFrame[] = [];
  const reading = (async () => {
    for await (const result of stream) results.push(result);
  })();
  frames.forEach((samples, i) => stream.write(audioFrame(samples, 16000, i * 20)));
  const ended = performance.now();
  stream.end();
  await reading;
  return { results, endToFinalMs: performance.now() - ended };
}
