/**
 * Checks VAD plugins share on what callers give a detector. A malformed frame is bad_input (the
 * caller's data is wrong, retrying will not help); out-of-range options are invalid_request.
 * `detector` names the VAD in messages ("WebRTC", "Silero").
 */
import { VapiError } from '../errors.js';
import type { AudioFrame } from '../frames.js';
import type { VadOptions } from '../stage.js';

export function checkVadSampleRate(detector: string, rate: number, allowed: readonly number[]): void {
  if (!allowed.includes(rate)) {
    throw new VapiError(`the ${detector} VAD does not take ${rate} Hz audio`, {
      code: 'VAPI_ERR_VAD_SAMPLE_RATE',
      category: 'bad_input',
      fix: `resample to one of ${allowed.join(', ')} Hz first`,
    });
  }
}

export function checkVadAggressiveness(value: number): asserts value is NonNullable<VadOptions['aggressiveness']> {
  if (!Number.isInteger(value) || value < 0 || value > 3) {
    throw new VapiError(`VAD options: aggressiveness must be 0, 1, 2 or 3, got ${value}`, { code: 'VAPI_ERR_VAD_OPTIONS', category: 'invalid_request' });
  }
}

/** Throws unless `frame` is one 20 ms frame (`frameSize` samples) at `sampleRate`. */
export function checkVadFrame(detector: string, frame: AudioFrame, sampleRate: number, frameSize: number): void {
  if (frame.sampleRate !== sampleRate) {
    throw new VapiError(`a ${frame.sampleRate} Hz frame was given to a ${detector} VAD created for ${sampleRate} Hz`, {
      code: 'VAPI_ERR_VAD_SAMPLE_RATE',
      category: 'bad_input',
      fix: 'create one detector per sample rate, or resample first',
    });
  }
  if (frame.samples.length !== frameSize) {
    const what = frame.samples.length === 0 ? 'an empty frame' : `a frame of ${frame.samples.length} samples`;
    throw new VapiError(`the ${detector} VAD takes 20 ms frames (${frameSize} samples at ${sampleRate} Hz), got ${what}`, {
      code: 'VAPI_ERR_VAD_FRAME_LENGTH',
      category: 'bad_input',
      fix: 'feed whole 20 ms frames (FrameChunker re-frames audio of any chunk size)',
    });
  }
}
