/**
 * The `speex` entry of stageRefs.resamplers: validates create() options, then hands out a Speex
 * stage per call and direction (or a pass-through for equal rates).
 */
import {
  assertSampleRate,
  SAMPLE_RATES,
  type AudioStage,
  type ResamplerFactory,
  type ResamplerOptions,
} from '@vapi-cn/sdk-plugin-api';
import { qualityError, unsupportedRateError } from './errors.js';
import { PassThroughResampler } from './pass-through.js';
import { SpeexResampler } from './speex-resampler.js';
import type { SpeexApi } from './speex-module.js';

/**
 * Default Speex quality. 7 is the best that keeps the per-call paths under ~15 µs per 20 ms frame
 * (measured, SIMD build: 8k→16k 8.2 µs, 16k→8k 7.9 µs, 24k→8k 12.2 µs); 8 takes 24k→8k to
 * 15.9 µs and 48k→16k from 24 to 32 µs for a slightly narrower transition band.
 */
export const DEFAULT_QUALITY = 7;

/** Lowest and highest Speex quality. */
export const MIN_QUALITY = 0;
export const MAX_QUALITY = 10;

/** Creates Speex resamplers between any two of SAMPLE_RATES. */
export class SpeexResamplerFactory implements ResamplerFactory {
  readonly name = 'speex';
  readonly sampleRates: readonly number[] = SAMPLE_RATES;
  /** Quality used when create() is not given one. */
  readonly defaultQuality: number;

  constructor(private readonly api: SpeexApi, defaultQuality: number = DEFAULT_QUALITY) {
    this.defaultQuality = checkQuality(defaultQuality);
  }

  /**
   * A new resampler with its own state. Unsupported rates or a quality outside 0..10 throw an
   * invalid_request VapiError.
   */
  create(options: ResamplerOptions): AudioStage {
    const inputRate = this.checkRate('inputRate', options?.inputRate);
    const outputRate = this.checkRate('outputRate', options?.outputRate);
    const quality = checkQuality(options?.quality ?? this.defaultQuality);
    if (inputRate === outputRate) return new PassThroughResampler(inputRate);
    return new SpeexResampler(this.api, inputRate, outputRate, quality);
  }

  private checkRate(which: 'inputRate' | 'outputRate', rate: number): number {
    try {
      assertSampleRate(rate, this.sampleRates);
    } catch (cause) {
      // A bad rate here is the caller's configuration, not malformed audio.
      throw unsupportedRateError(which, rate, this.sampleRates, cause);
    }
    return rate;
  }
}

function checkQuality(quality: number): number {
  if (!Number.isInteger(quality) || quality < MIN_QUALITY || quality > MAX_QUALITY) throw qualityError(quality);
  return quality;
}
