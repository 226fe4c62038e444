/** Shared by the resampler tests: the plugin's factory, framing, and a one-shot Speex reference. */
import { audioFrame, concatPcm, samplesPerFrame, stageRefs, type AudioStage, type ResamplerFactory } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin, { loadSpeex } from '../src/index.js';

/** The `speex` factory as the plugin provides it. */
export async function speexFactory(options: Record<string, unknown> = {}): Promise<ResamplerFactory> {
  const h = await setupPlugin(plugin, { options });
  return h.registry(stageRefs.resamplers).get('speex')!;
}

/** Runs `signal` through `stage` in 20 ms frames (starting at `firstTimestamp`), returning copies of the outputs. */
export function streamFrames(stage: AudioStage, signal: Int16Array, rate: number, firstTimestamp = 0): Int16Array[] {
  const n = samplesPerFrame(rate);
  const out: Int16Array[] = [];
  for (let f = 0; f * n + n <= signal.length; f++) {
    const frame = stage.process(audioFrame(signal.slice(f * n, f * n + n), rate, firstTimestamp + f * 20));
    out.push(frame!.samples.slice());
  }
  return out;
}

/** `streamFrames`, concatenated. */
export function stream(stage: AudioStage, signal: Int16Array, rate: number): Int16Array {
  return concatPcm(streamFrames(stage, signal, rate));
}

/**
 * The reference: `signal` resampled in ONE Speex call by a fresh resampler, straight on the wasm
 * (not through the stage). Continuous by construction, so a streamed output must equal it.
 */
export async function resampleWhole(signal: Int16Array, inRate: number, outRate: number, quality: number): Promise<Int16Array> {
  const api = await loadSpeex();
  const outCapacity = Math.ceil((signal.length * outRate) / inRate) + 64;
  const block = api.malloc(8 + 2 * (signal.length + outCapacity));
  const state = api.init(1, inRate, outRate, quality, block);
  try {
    new Int16Array(api.heap(), block + 8, signal.length).set(signal);
    const lengths = new Uint32Array(api.heap(), block, 2);
    lengths[0] = signal.length;
    lengths[1] = outCapacity;
    const result = api.process(state, block + 8, block, block + 8 + 2 * signal.length, block + 4);
    if (result !== 0 || lengths[0] !== signal.length) throw new Error(`speex one-shot failed: ${result}`);
    return new Int16Array(api.heap(), block + 8 + 2 * signal.length, lengths[1]!).slice();
  } finally {
    api.destroy(state);
    api.free(block);
  }
}

/** The lag (0..maxLag) at which `delayed` best matches `reference`, by cross-correlation. */
export function findDelay(reference: Int16Array, delayed: Int16Array, maxLag: number): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let lag = 0; lag <= maxLag; lag++) {
    let score = 0;
    for (let i = 0; i + lag < delayed.length && i < reference.length; i++) score += reference[i]! * delayed[i + lag]!;
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  return best;
}

/** Largest |a[i] - b[i]|. */
export function maxDifference(a: Int16Array, b: Int16Array): number {
  let max = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Every ordered pair of distinct rates. */
export function ratePairs(rates: readonly number[]): Array<[number, number]> {
  return rates.flatMap((a) => rates.filter((b) => b !== a).map((b): [number, number] => [a, b]));
}
