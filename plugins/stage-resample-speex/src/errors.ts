/**
 * The resampler's errors. Frames that cannot be resampled are `bad_input`; options a resampler
 * cannot be created with, and use after close(), are `invalid_request` (a caller bug). The SDK's
 * audioError() always says `VAPI_ERR_AUDIO_*`, so these are built here to carry `RESAMPLE` codes.
 */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

/** A frame at a sample rate other than the resampler's input rate. */
export function wrongRateError(got: unknown, expected: number): VapiError {
  return new VapiError(`resampler expects ${expected} Hz frames, got ${String(got)} Hz`, {
    code: 'VAPI_ERR_RESAMPLE_SAMPLE_RATE',
    category: 'bad_input',
    details: { got, expected },
    fix: `resample from ${String(got)} Hz with a resampler created for that input rate`,
  });
}

/** A frame that is not exactly one 20 ms frame long. */
export function wrongSizeError(got: number, expected: number, sampleRate: number): VapiError {
  return new VapiError(`resampler expects 20 ms frames (${expected} samples at ${sampleRate} Hz), got ${got} samples`, {
    code: 'VAPI_ERR_RESAMPLE_FRAME_SIZE',
    category: 'bad_input',
    details: { got, expected, sampleRate },
    fix: 're-frame the audio into 20 ms frames first (FrameChunker)',
  });
}

/** A frame with no samples (missing, or zero-length). */
export function emptyFrameError(): VapiError {
  return new VapiError('resampler got a frame with no samples', {
    code: 'VAPI_ERR_RESAMPLE_EMPTY_FRAME',
    category: 'bad_input',
    fix: 'pass 20 ms PCM16 frames; skip, do not send, empty ones',
  });
}

/** Samples that are not PCM16 (an Int16Array). */
export function notPcm16Error(got: unknown): VapiError {
  const kind = typeof got === 'object' && got !== null ? got.constructor?.name ?? 'object' : typeof got;
  return new VapiError(`resampler expects PCM16 samples in an Int16Array, got ${kind}`, {
    code: 'VAPI_ERR_RESAMPLE_FORMAT',
    category: 'bad_input',
    fix: 'convert float audio with floatToPcm16() first',
  });
}

/** process() on a resampler whose close() has run. */
export function closedError(): VapiError {
  return new VapiError('resampler used after close()', {
    code: 'VAPI_ERR_RESAMPLE_CLOSED',
    category: 'invalid_request',
    fix: 'create a new resampler; a closed one has freed its memory',
  });
}

/** create() with a rate outside the supported ones. */
export function unsupportedRateError(which: 'inputRate' | 'outputRate', got: unknown, supported: readonly number[], cause: unknown): VapiError {
  return new VapiError(`resampler ${which} ${String(got)} Hz is not supported`, {
    code: 'VAPI_ERR_RESAMPLE_UNSUPPORTED_RATE',
    category: 'invalid_request',
    cause,
    details: { [which]: got, supported },
    fix: `set ${which} to one of ${supported.join(', ')}`,
  });
}

/** create() with a quality that is not an integer 0..10. */
export function qualityError(got: unknown): VapiError {
  return new VapiError(`resampler quality must be an integer from 0 to 10, got ${String(got)}`, {
    code: 'VAPI_ERR_RESAMPLE_QUALITY',
    category: 'invalid_request',
    details: { quality: got },
    fix: 'set quality to an integer from 0 (fastest) to 10 (best), or leave it out for the default',
  });
}

/** The Speex wasm failed: it did not load, ran out of heap, or returned a Speex error code. */
export function wasmError(what: string, speexError?: number, cause?: unknown): VapiError {
  return new VapiError(`Speex resampler failed: ${what}`, {
    code: 'VAPI_ERR_RESAMPLE_WASM',
    category: 'server',
    retryable: false,
    ...(speexError === undefined ? {} : { details: { speexError } }),
    ...(cause === undefined ? {} : { cause }),
    fix: 'the server may be out of memory for resamplers; check that closed calls close their stages',
  });
}
