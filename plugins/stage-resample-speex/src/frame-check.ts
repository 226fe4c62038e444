/**
 * Checks that a frame is what a resampler takes: PCM16, at its input rate, exactly 20 ms long.
 * The passing case is one combined test on the hot path; working out which error to throw is
 * left to a separate, cold function.
 */
import type { AudioFrame, VapiError } from '@vapi-cn/sdk-plugin-api';
import { emptyFrameError, notPcm16Error, wrongRateError, wrongSizeError } from './errors.js';

/** Throws a bad_input VapiError unless `frame` holds `size` PCM16 samples at `sampleRate`. */
export function checkFrame(frame: AudioFrame, sampleRate: number, size: number): void {
  const samples = frame?.samples;
  if (samples instanceof Int16Array && samples.length === size && frame.sampleRate === sampleRate) return;
  throw frameError(frame, sampleRate, size);
}

function frameError(frame: AudioFrame | null | undefined, sampleRate: number, size: number): VapiError {
  const samples: unknown = typeof frame === 'object' && frame !== null ? frame.samples : undefined;
  if (samples === undefined || samples === null) return emptyFrameError();
  if (!(samples instanceof Int16Array)) return notPcm16Error(samples);
  if (samples.length === 0) return emptyFrameError();
  if (frame!.sampleRate !== sampleRate) return wrongRateError(frame!.sampleRate, sampleRate);
  return wrongSizeError(samples.length, size, sampleRate);
}
