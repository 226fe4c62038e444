/**
 * One-off sample-rate conversion of a whole clip (a background, at load or mixer creation; never
 * per frame). A streaming resampler stage is used when one is given, else linear interpolation.
 */
import { audioFrame, samplesPerFrame, type ResamplerFactory } from '@vapi-cn/sdk-plugin-api';

/** Frames fed before the clip so the resampler's warm-up and filter transient fall outside it. */
const PRIME_FRAMES = 5;

/**
 * `samples` at `toRate`, with round(length x toRate / fromRate) samples. A looping clip is treated
 * as periodic, so the converted loop joins without a click.
 */
export function convertClip(samples: Int16Array, fromRate: number, toRate: number, loop: boolean, resampler?: ResamplerFactory): Int16Array {
  if (fromRate === toRate) return samples;
  if (resampler && resampler.sampleRates.includes(fromRate) && resampler.sampleRates.includes(toRate)) {
    return stageResample(samples, fromRate, toRate, loop, resampler);
  }
  return linearResample(samples, fromRate, toRate, loop);
}

/** Linear interpolation; a looping clip interpolates its last sample towards its first. */
export function linearResample(samples: Int16Array, fromRate: number, toRate: number, loop: boolean): Int16Array {
  const length = samples.length;
  const out = new Int16Array(Math.max(1, Math.round((length * toRate) / fromRate)));
  // Step by length/out.length rather than fromRate/toRate: the clip maps exactly onto itself, so a
  // loop keeps its period.
  const step = length / out.length;
  for (let i = 0; i < out.length; i++) {
    const x = i * step;
    const k = Math.floor(x);
    const a = samples[k]!;
    const b = k + 1 < length ? samples[k + 1]! : loop ? samples[0]! : a;
    out[i] = Math.round(a + (b - a) * (x - k));
  }
  return out;
}

/**
 * Runs the clip through a streaming resampler frame by frame. The stream fed is the clip preceded
 * by what comes before it (its own tail when looping, else silence) and followed by what comes
 * after (its head, else silence); output is taken from where the clip starts. Warm-up frames
 * (null results) only delay the output, so they do not change where that is.
 */
function stageResample(samples: Int16Array, fromRate: number, toRate: number, loop: boolean, factory: ResamplerFactory): Int16Array {
  const length = samples.length;
  const inSize = samplesPerFrame(fromRate);
  const out = new Int16Array(Math.max(1, Math.round((length * toRate) / fromRate)));
  const input = audioFrame(new Int16Array(inSize), fromRate);
  const maxFrames = 2 * PRIME_FRAMES + Math.ceil(length / inSize) + 50;
  const stage = factory.create({ inputRate: fromRate, outputRate: toRate });
  try {
    let skip = PRIME_FRAMES * samplesPerFrame(toRate);
    let written = 0;
    let position = -PRIME_FRAMES * inSize;
    for (let frames = 0; written < out.length; frames++) {
      if (frames === maxFrames) throw new Error(`resampler '${factory.name}' produced too little output`);
      for (let j = 0; j < inSize; j++) {
        const p = position + j;
        input.samples[j] = loop ? samples[((p % length) + length) % length]! : p >= 0 && p < length ? samples[p]! : 0;
      }
      position += inSize;
      const result = stage.process(input);
      if (!result) continue;
      const got = result.samples;
      const from = Math.min(skip, got.length);
      skip -= from;
      const take = Math.min(got.length - from, out.length - written);
      out.set(got.subarray(from, from + take), written);
      written += take;
    }
    return out;
  } finally {
    stage.close();
  }
}
